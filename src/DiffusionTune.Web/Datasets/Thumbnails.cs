using DiffusionTune.IO.Images;

namespace DiffusionTune.Web.Datasets;

/// <summary>Small PNG previews of images, made on request (the folder browser and the dataset pages show them).</summary>
public static class Thumbnails
{
    /// <summary>The longer side of a thumbnail, in pixels.</summary>
    public const int Size = 192;

    /// <summary>A PNG of <paramref name="imagePath"/> scaled to fit <see cref="Size"/> (never enlarged).</summary>
    /// <exception cref="ImageFileException">The file is not a readable image.</exception>
    public static byte[] Make(string imagePath)
    {
        using var image = ImageLoader.LoadRgba(imagePath);
        var scale = Math.Min(1.0, (double)Size / Math.Max(image.Width, image.Height));
        if (scale >= 1.0) return PngWriter.Encode(image);
        using var small = ImageTransforms.Resize(image, Math.Max(1, (int)Math.Round(image.Width * scale)), Math.Max(1, (int)Math.Round(image.Height * scale)));
        return PngWriter.Encode(small);
    }
}
