using System.Security.Cryptography;
using System.Text;
using DiffusionTune.IO.Images;
using SkiaSharp;

namespace DiffusionTune.Training.Data;

/// <summary>
/// Exactly which pixels one training item is: an image resized (Lanczos) to cover <see cref="Size"/>, cropped to it at
/// (<see cref="CropLeft"/>, <see cref="CropTop"/>) of the resized image, and mirrored when <see cref="Flipped"/>.
/// </summary>
public sealed record ImageVariant(TrainingImage Image, ImageSize Size, bool Flipped, int CropLeft, int CropTop)
{
    /// <summary>Bumped whenever the pixels of a variant change for the same inputs (e.g. a new resampler), so old caches miss.</summary>
    const int PixelsVersion = 1;

    /// <summary>The centre-cropped variant of <paramref name="image"/> at <paramref name="size"/>.</summary>
    public static ImageVariant Centered(TrainingImage image, ImageSize size, bool flipped)
    {
        var cover = ImageTransforms.CoverSize(image.Width, image.Height, size.Width, size.Height);
        return new ImageVariant(image, size, flipped, (cover.Width - size.Width) / 2, (cover.Height - size.Height) / 2);
    }

    /// <summary>Identifies these pixels: the file's content, size, crop and flip (not the file's name or caption).</summary>
    public string ContentKey
    {
        get
        {
            var text = $"v{PixelsVersion}|{Image.ContentHash}|{Size}|{(Flipped ? "flipped" : "upright")}|{CropLeft},{CropTop}";
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
        }
    }

    /// <summary>Loads the image and makes the variant's pixels (an opaque RGBA bitmap of <see cref="Size"/>).</summary>
    public SKBitmap Render()
    {
        using var source = ImageLoader.LoadRgb(Image.Path);
        if (source.Width != Image.Width || source.Height != Image.Height)
            throw new ImageFileException(Image.Path, $"the image changed during the run: it was {Image.Size}, it is now {source.Width}x{source.Height}");
        var cropped = ImageTransforms.ResizeAndCrop(source, Size.Width, Size.Height, CropLeft, CropTop);
        if (!Flipped) return cropped;
        using (cropped) return ImageTransforms.FlipHorizontal(cropped);
    }
}
