namespace DiffusionTune.Training.Data;

/// <summary>One validated training image.</summary>
/// <param name="Path">The image file.</param>
/// <param name="Caption">The prompt it trains with (from its caption file, the template, or its kohya folder name).</param>
/// <param name="Width">Width in pixels, upright (after the EXIF orientation is applied).</param>
/// <param name="Height">Height in pixels, upright.</param>
/// <param name="Repeats">How many times it counts per epoch.</param>
/// <param name="ContentHash">SHA-256 of the file's bytes (lower-case hex): what cached latents are keyed by.</param>
public sealed record TrainingImage(string Path, string Caption, int Width, int Height, int Repeats, string ContentHash)
{
    /// <summary>The upright size.</summary>
    public ImageSize Size => new(Width, Height);
}
