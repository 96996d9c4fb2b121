using DiffusionTune.IO;
using DiffusionTune.Training.Data;

namespace DiffusionTune.Web.Datasets;

/// <summary>
/// The images of one folder and their captions, by the trainer's convention (<see cref="TrainingImageSet"/>):
/// <c>NAME.png</c> (or .jpg, .jpeg, .webp, .bmp) with its caption in <c>NAME.txt</c> beside it.
/// </summary>
public static class FolderImages
{
    /// <summary>The caption files' extension, as <see cref="ImageFolderOptions.CaptionExtension"/> has it by default.</summary>
    public static readonly string CaptionExtension = new ImageFolderOptions().CaptionExtension;

    /// <summary>The images directly in <paramref name="folder"/> (hidden files skipped), by name.</summary>
    public static IReadOnlyList<FolderImage> Read(string folder) =>
        [.. Directory.EnumerateFiles(folder)
            .Where(IsImage)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .Select(f => new FolderImage(Path.GetFileName(f), ReadCaption(f)))];

    /// <summary>Whether <paramref name="path"/> has an image extension the trainer reads.</summary>
    public static bool IsImage(string path) =>
        TrainingImageSet.ImageExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>The caption file of the image <paramref name="imagePath"/>.</summary>
    public static string CaptionFileOf(string imagePath) => Path.ChangeExtension(imagePath, CaptionExtension);

    /// <summary>Writes <paramref name="caption"/> as the caption of <paramref name="imagePath"/>, atomically (the trainer never reads half a caption).</summary>
    public static void WriteCaption(string imagePath, string caption) =>
        AtomicFile.WriteAllText(CaptionFileOf(imagePath), caption.Trim() + "\n");

    static string? ReadCaption(string imagePath)
    {
        var file = CaptionFileOf(imagePath);
        return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
    }
}
