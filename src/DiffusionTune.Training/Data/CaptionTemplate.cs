namespace DiffusionTune.Training.Data;

/// <summary>
/// A prompt used for every image of a folder, such as <c>a photo of sks star</c>. A template that contains
/// <see cref="FilewordsToken"/> (<c>a photo of sks star, [filewords]</c>) gets each image's own caption inserted
/// there, as AUTOMATIC1111's training templates do.
/// </summary>
public static class CaptionTemplate
{
    /// <summary>The placeholder replaced by the image's caption file text.</summary>
    public const string FilewordsToken = "[filewords]";

    /// <summary>Whether <paramref name="template"/> needs each image's caption.</summary>
    public static bool UsesFilewords(string template) => template.Contains(FilewordsToken, StringComparison.OrdinalIgnoreCase);

    /// <summary>The prompt for one image: <paramref name="template"/> with <see cref="FilewordsToken"/> replaced by <paramref name="caption"/>.</summary>
    public static string Apply(string template, string caption) =>
        template.Replace(FilewordsToken, caption, StringComparison.OrdinalIgnoreCase).Trim();
}
