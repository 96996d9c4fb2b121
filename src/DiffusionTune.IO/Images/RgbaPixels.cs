using SkiaSharp;

namespace DiffusionTune.IO.Images;

/// <summary>Access to a bitmap's pixels as tightly packed 8-bit RGBA, whatever its own colour type and row padding.</summary>
static unsafe class RgbaPixels
{
    /// <summary>
    /// The pixels as RGBA8888 rows without padding; opaque bitmaps stay opaque, others use <paramref name="alphaType"/>.
    /// Returns the bitmap's own memory when it is already laid out so, else a converted copy.
    /// </summary>
    public static ReadOnlySpan<byte> Read(SKBitmap bitmap, SKAlphaType alphaType)
    {
        var info = Layout(bitmap, alphaType);
        if (bitmap.ColorType == SKColorType.Rgba8888 && bitmap.AlphaType == info.AlphaType && bitmap.RowBytes == info.RowBytes)
            return bitmap.GetPixelSpan();
        var buffer = new byte[info.BytesSize];
        using var pixmap = bitmap.PeekPixels();
        fixed (byte* pointer = buffer)
        {
            if (pixmap is null || !pixmap.ReadPixels(info, (IntPtr)pointer, info.RowBytes, 0, 0))
                throw new ArgumentException($"cannot convert a {bitmap.ColorType}/{bitmap.AlphaType} bitmap to RGBA8888", nameof(bitmap));
        }
        return buffer;
    }

    /// <summary>The RGBA8888 layout <see cref="Read"/> gives for <paramref name="bitmap"/>, at another size if asked.</summary>
    public static SKImageInfo Layout(SKBitmap bitmap, SKAlphaType alphaType, int? width = null, int? height = null) =>
        new(width ?? bitmap.Width, height ?? bitmap.Height, SKColorType.Rgba8888,
            bitmap.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : alphaType);

    /// <summary>A new bitmap of layout <paramref name="info"/> holding <paramref name="pixels"/> (packed RGBA8888 rows).</summary>
    public static SKBitmap ToBitmap(SKImageInfo info, ReadOnlySpan<byte> pixels)
    {
        var bitmap = new SKBitmap(info);
        pixels.CopyTo(Writable(bitmap));
        return bitmap;
    }

    /// <summary>The bitmap's own pixel memory, for filling it (Skia hands out only a read-only span).</summary>
    public static Span<byte> Writable(SKBitmap bitmap) => new((void*)bitmap.GetPixels(), bitmap.ByteCount);
}
