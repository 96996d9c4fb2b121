namespace DiffusionTune.Training.Data;

/// <summary>How <see cref="TrainingImageSet"/> reads a folder of training (or regularisation) images.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>
    /// The prompt of every image (an instance prompt such as <c>a photo of sks star</c>, or a class prompt), used
    /// instead of caption files; with <see cref="CaptionTemplate.FilewordsToken"/> in it, each image's caption file
    /// text is inserted there. Null: every image needs a caption file (or a kohya folder name).
    /// </summary>
    public string? CaptionTemplate { get; init; }

    /// <summary>How many times each image counts per epoch (kohya <c>&lt;repeats&gt;_&lt;name&gt;</c> subfolders set their own).</summary>
    public int Repeats { get; init; } = 1;

    /// <summary>The extension of caption files that sit beside their images (<c>photo.png</c> + <c>photo.txt</c>).</summary>
    public string CaptionExtension { get; init; } = ".txt";

    /// <summary>What to do with an unusable image, an image without a caption, or a caption without an image.</summary>
    public BadImageHandling OnBadImage { get; init; } = BadImageHandling.Refuse;

    /// <summary>
    /// Images whose shorter side is below this many pixels count as bad: they would be upscaled into blur (thumbnails,
    /// icons, files saved at the wrong size).
    /// </summary>
    public int MinimumSide { get; init; } = 64;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (Repeats < 1) throw new ArgumentException($"repeats must be at least 1 (got {Repeats})");
        if (MinimumSide < 1) throw new ArgumentException($"the minimum image side must be at least 1 pixel (got {MinimumSide})");
        if (!CaptionExtension.StartsWith('.') || CaptionExtension.Length < 2)
            throw new ArgumentException($"the caption extension must start with a dot, like .txt (got '{CaptionExtension}')");
        if (CaptionTemplate is not null && string.IsNullOrWhiteSpace(CaptionTemplate))
            throw new ArgumentException("the caption template is empty: give a prompt such as 'a photo of sks star', or none to use caption files");
    }
}
