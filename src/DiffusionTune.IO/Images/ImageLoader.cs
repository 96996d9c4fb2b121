using SkiaSharp;

namespace DiffusionTune.IO.Images;

/// <summary>
/// Reads PNG, JPEG, WebP, BMP and GIF (first frame) files into 8-bit RGBA bitmaps, upright as their EXIF
/// orientation says. Colours are taken as stored (no ICC conversion), as PIL does. Every failure is an
/// <see cref="ImageFileException"/> naming the file and what is wrong with it.
/// </summary>
public static class ImageLoader
{
    /// <summary>Larger images are refused rather than decoded: a tiny file can claim gigapixels and exhaust memory.</summary>
    public const long MaxPixels = 200_000_000;

    /// <summary>
    /// Loads <paramref name="path"/> as an opaque image (<see cref="SKColorType.Rgba8888"/>,
    /// <see cref="SKAlphaType.Opaque"/>): transparent parts are composited over white.
    /// </summary>
    public static SKBitmap LoadRgb(string path)
    {
        var (rgba, origin) = Decode(path);
        if (rgba.AlphaType != SKAlphaType.Opaque)
        {
            using var translucent = rgba;
            rgba = CompositeOverWhite(translucent);
        }
        return Upright(rgba, origin);
    }

    /// <summary>
    /// Loads <paramref name="path"/> keeping its transparency: <see cref="SKColorType.Rgba8888"/> with unpremultiplied
    /// alpha, or <see cref="SKAlphaType.Opaque"/> when the format has no alpha.
    /// </summary>
    public static SKBitmap LoadRgba(string path)
    {
        var (rgba, origin) = Decode(path);
        return Upright(rgba, origin);
    }

    static SKBitmap Upright(SKBitmap bitmap, SKEncodedOrigin origin)
    {
        var upright = ExifOrientation.Apply(bitmap, origin);
        if (!ReferenceEquals(upright, bitmap)) bitmap.Dispose();
        return upright;
    }

    static (SKBitmap Bitmap, SKEncodedOrigin Origin) Decode(string path)
    {
        if (!File.Exists(path)) throw new ImageFileException(path, "file not found");
        long length = new FileInfo(path).Length;
        if (length == 0) throw new ImageFileException(path, "the file is empty (0 bytes), not an image");

        using var codec = SKCodec.Create(path, out var openResult);
        if (codec is null)
        {
            throw new ImageFileException(path, openResult switch
            {
                SKCodecResult.Unimplemented => "not an image in a supported format (PNG, JPEG, WebP, BMP or GIF)",
                SKCodecResult.IncompleteInput => $"the image is truncated: its {length} bytes end inside the header",
                _ => $"the image header is corrupt ({openResult})",
            });
        }

        var encoded = codec.Info;
        if (encoded.Width <= 0 || encoded.Height <= 0)
            throw new ImageFileException(path, $"the image claims an empty size of {encoded.Width}x{encoded.Height}");
        if ((long)encoded.Width * encoded.Height > MaxPixels)
            throw new ImageFileException(path, $"the image is {encoded.Width}x{encoded.Height}, more than the {MaxPixels} pixels this loader accepts");

        // No colour space on the target: Skia then hands over the stored values instead of converting them.
        var alpha = encoded.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul;
        var info = new SKImageInfo(encoded.Width, encoded.Height, SKColorType.Rgba8888, alpha);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new ImageFileException(path, result switch
            {
                SKCodecResult.IncompleteInput => $"the image is truncated: the {codec.EncodedFormat} data ends before the last row",
                SKCodecResult.ErrorInInput or SKCodecResult.InvalidInput => $"the {codec.EncodedFormat} image data is corrupt",
                _ => $"the {codec.EncodedFormat} image cannot be decoded ({result})",
            });
        }
        return (bitmap, codec.EncodedOrigin);
    }

    /// <summary>Blends unpremultiplied RGBA over white into a new opaque bitmap, rounding to nearest.</summary>
    static SKBitmap CompositeOverWhite(SKBitmap rgba)
    {
        var opaque = new SKBitmap(rgba.Info.WithAlphaType(SKAlphaType.Opaque));
        var source = rgba.GetPixelSpan();
        var target = RgbaPixels.Writable(opaque);
        for (int i = 0; i < source.Length; i += 4)
        {
            int a = source[i + 3], inverse = 255 - a;
            for (int c = 0; c < 3; c++)
                target[i + c] = (byte)((source[i + c] * a + 255 * inverse + 127) / 255);
            target[i + 3] = 255;
        }
        return opaque;
    }
}
