using SkiaSharp;

namespace DiffusionTune.IO.Images;

/// <summary>
/// The geometric transforms that prepare training images: high-quality resize, crop (centre or at offsets the
/// caller draws, e.g. for random crops), and horizontal flip. Every method returns a new RGBA8888 bitmap and leaves
/// its input alone. Crops and flips keep a translucent input's alpha convention; resizing returns premultiplied alpha.
/// </summary>
public static class ImageTransforms
{
    /// <summary>Resizes to exactly <paramref name="width"/>×<paramref name="height"/> with antialiased Lanczos-3 filtering.</summary>
    public static SKBitmap Resize(SKBitmap source, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        // Filtering straight (unpremultiplied) colour would bleed the colour of invisible pixels into visible ones.
        var pixels = RgbaPixels.Read(source, SKAlphaType.Premul);
        var info = RgbaPixels.Layout(source, SKAlphaType.Premul, width, height);
        if (width == source.Width && height == source.Height) return RgbaPixels.ToBitmap(info, pixels);
        var resized = LanczosResampler.Resize(pixels, source.Width, source.Height, width, height, info.AlphaType == SKAlphaType.Premul);
        return RgbaPixels.ToBitmap(info, resized);
    }

    /// <summary>
    /// The smallest size with <paramref name="sourceWidth"/>:<paramref name="sourceHeight"/>'s aspect ratio that covers
    /// <paramref name="width"/>×<paramref name="height"/>: one side matches the target, the other is at least as long.
    /// Random crop offsets range over 0..(cover − target) on each axis.
    /// </summary>
    public static SKSizeI CoverSize(int sourceWidth, int sourceHeight, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        double scale = Math.Max((double)width / sourceWidth, (double)height / sourceHeight);
        return new SKSizeI(
            Math.Max(width, (int)Math.Round(sourceWidth * scale)),
            Math.Max(height, (int)Math.Round(sourceHeight * scale)));
    }

    /// <summary>Copies the <paramref name="width"/>×<paramref name="height"/> region whose top-left corner is (<paramref name="left"/>, <paramref name="top"/>).</summary>
    public static SKBitmap Crop(SKBitmap source, int left, int top, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (left < 0 || top < 0 || left + width > source.Width || top + height > source.Height)
            throw new ArgumentOutOfRangeException(nameof(left), $"crop {width}x{height} at ({left}, {top}) does not fit in a {source.Width}x{source.Height} image");
        var pixels = RgbaPixels.Read(source, KeptAlpha(source));
        var info = RgbaPixels.Layout(source, KeptAlpha(source), width, height);
        var bitmap = new SKBitmap(info);
        var target = RgbaPixels.Writable(bitmap);
        int sourceStride = source.Width * 4, targetStride = width * 4;
        for (int y = 0; y < height; y++)
            pixels.Slice((top + y) * sourceStride + left * 4, targetStride).CopyTo(target.Slice(y * targetStride, targetStride));
        return bitmap;
    }

    /// <summary>
    /// Resizes to <see cref="CoverSize"/> and crops <paramref name="width"/>×<paramref name="height"/> at
    /// (<paramref name="left"/>, <paramref name="top"/>) of the resized image.
    /// </summary>
    public static SKBitmap ResizeAndCrop(SKBitmap source, int width, int height, int left, int top)
    {
        var cover = CoverSize(source.Width, source.Height, width, height);
        if (cover.Width == source.Width && cover.Height == source.Height)
            return Crop(source, left, top, width, height);
        using var resized = Resize(source, cover.Width, cover.Height);
        return Crop(resized, left, top, width, height);
    }

    /// <summary>Resizes to <see cref="CoverSize"/> and keeps the centre <paramref name="width"/>×<paramref name="height"/>.</summary>
    public static SKBitmap ResizeAndCenterCrop(SKBitmap source, int width, int height)
    {
        var cover = CoverSize(source.Width, source.Height, width, height);
        return ResizeAndCrop(source, width, height, (cover.Width - width) / 2, (cover.Height - height) / 2);
    }

    /// <summary>Mirrors left to right.</summary>
    public static SKBitmap FlipHorizontal(SKBitmap source)
    {
        var pixels = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(RgbaPixels.Read(source, KeptAlpha(source)));
        var bitmap = new SKBitmap(RgbaPixels.Layout(source, KeptAlpha(source)));
        var target = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(RgbaPixels.Writable(bitmap));
        int width = source.Width;
        for (int y = 0; y < source.Height; y++)
        {
            var row = target.Slice(y * width, width);
            pixels.Slice(y * width, width).CopyTo(row);
            row.Reverse();
        }
        return bitmap;
    }

    static SKAlphaType KeptAlpha(SKBitmap source) =>
        source.AlphaType == SKAlphaType.Unpremul ? SKAlphaType.Unpremul : SKAlphaType.Premul;
}
