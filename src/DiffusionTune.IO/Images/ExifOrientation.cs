using SkiaSharp;

namespace DiffusionTune.IO.Images;

/// <summary>
/// Turns pixels stored with an EXIF orientation into pixels as they are meant to be seen. Cameras store the
/// sensor's rows and tag how to rotate or mirror them; every viewer and PIL's <c>ImageOps.exif_transpose</c>
/// apply the tag, so training on the stored pixels would feed the model sideways pictures.
/// </summary>
public static class ExifOrientation
{
    /// <summary>
    /// Returns <paramref name="stored"/> (a 4-byte-per-pixel bitmap) rotated or mirrored as <paramref name="origin"/>
    /// says; for <see cref="SKEncodedOrigin.TopLeft"/> the same instance comes back, otherwise a new bitmap.
    /// </summary>
    public static SKBitmap Apply(SKBitmap stored, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft) return stored;
        if (stored.BytesPerPixel != 4)
            throw new ArgumentException($"expected 4 bytes per pixel, got {stored.BytesPerPixel}", nameof(stored));

        int w = stored.Width, h = stored.Height;
        bool swapsAxes = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int outWidth = swapsAxes ? h : w, outHeight = swapsAxes ? w : h;
        var result = new SKBitmap(stored.Info.WithSize(outWidth, outHeight));

        var source = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(stored.GetPixelSpan());
        var target = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(RgbaPixels.Writable(result));
        int sourceStride = stored.RowBytes / 4, targetStride = result.RowBytes / 4;
        for (int y = 0; y < outHeight; y++)
        {
            for (int x = 0; x < outWidth; x++)
            {
                // (sx, sy): the stored pixel that is seen at (x, y).
                var (sx, sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (w - 1 - x, y),
                    SKEncodedOrigin.BottomRight => (w - 1 - x, h - 1 - y),
                    SKEncodedOrigin.BottomLeft => (x, h - 1 - y),
                    SKEncodedOrigin.LeftTop => (y, x),
                    SKEncodedOrigin.RightTop => (y, h - 1 - x),
                    SKEncodedOrigin.RightBottom => (w - 1 - y, h - 1 - x),
                    SKEncodedOrigin.LeftBottom => (w - 1 - y, x),
                    _ => throw new ArgumentOutOfRangeException(nameof(origin), origin, "not an EXIF orientation"),
                };
                target[y * targetStride + x] = source[sy * sourceStride + sx];
            }
        }
        return result;
    }
}
