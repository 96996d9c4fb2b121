using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using DiffusionTune.IO;
using DiffusionTune.IO.Images;

namespace DiffusionTune.Training.Data;

/// <summary>
/// The validated images of a training (or regularisation) folder with their prompts. An image's prompt is, in order:
/// the caption template (with <c>[filewords]</c> replaced by its caption, or lacking one by its kohya folder's words),
/// its same-named caption file, or the words of its kohya <c>&lt;repeats&gt;_&lt;words&gt;</c> subfolder. Every image is decoded once here, so that a corrupt
/// file is found before training starts, not hours into it. Empty caption files count as missing.
/// </summary>
public sealed partial class TrainingImageSet
{
    /// <summary>The image file extensions read (any letter case).</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".png", ".jpg", ".jpeg", ".webp", ".bmp"];

    TrainingImageSet(IReadOnlyList<TrainingImage> images, IReadOnlyList<string> warnings)
    {
        Images = images;
        Warnings = warnings;
    }

    /// <summary>The usable images, in folder order (the root's files, then each kohya subfolder's, each sorted by name).</summary>
    public IReadOnlyList<TrainingImage> Images { get; }

    /// <summary>One line per file left out or folder ignored, naming it and saying why.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Images per epoch: each image counted as many times as its repeats.</summary>
    public int RepeatedCount => Images.Sum(i => i.Repeats);

    /// <summary>
    /// Reads <paramref name="folder"/>: its images, and those of subfolders named <c>&lt;repeats&gt;_&lt;words&gt;</c>
    /// (other subfolders are ignored with a warning). Throws <see cref="ArgumentException"/> for a missing or empty
    /// folder; problems with single files (<see cref="ImageFileException"/> for images that cannot be read or are too
    /// small, <see cref="ArgumentException"/> for missing captions and captions without an image) are thrown or
    /// turned into warnings as <see cref="ImageFolderOptions.OnBadImage"/> says.
    /// </summary>
    public static TrainingImageSet Load(string folder, ImageFolderOptions options)
    {
        options.Validate();
        if (!Directory.Exists(folder))
            throw new ArgumentException(File.Exists(folder) ? $"{folder}: is a file, not an image folder" : $"{folder}: image folder not found");
        var report = new ProblemReport(options.OnBadImage);
        var sources = new List<(string Folder, int Repeats, string? Words)> { (folder, options.Repeats, null) };
        foreach (var subfolder in Directory.EnumerateDirectories(folder).Where(IsVisible).Order(StringComparer.Ordinal))
        {
            if (KohyaFolderName.TryParse(Path.GetFileName(subfolder), out int repeats, out var words))
                sources.Add((subfolder, repeats, words));
            else
                report.Warnings.Add($"{subfolder}: subfolder ignored: only subfolders named <repeats>_<words> (such as '20_sks star') are read");
        }

        var images = new List<TrainingImage>();
        int imageFiles = 0;
        foreach (var (sourceFolder, repeats, words) in sources)
        {
            var files = Directory.EnumerateFiles(sourceFolder).Where(IsVisible).Order(StringComparer.Ordinal).ToList();
            var candidates = files.Where(IsImageFile).ToList();
            imageFiles += candidates.Count;
            var imageStems = candidates.Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.Ordinal);
            // Looked up among the files found, so photo.TXT serves photo.png on case-sensitive file systems too.
            var captionFiles = files.Where(f => IsCaptionFile(f, options))
                .GroupBy(f => Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            foreach (var (stem, captionFile) in captionFiles)
            {
                if (!imageStems.Contains(stem))
                    report.Problem(new ArgumentException($"{captionFile}: caption file without an image: there is no {stem}.png, .jpg, .jpeg, .webp or .bmp beside it"));
            }
            var sourceImages = candidates.Select(file => (file, captionFiles.GetValueOrDefault(Path.GetFileNameWithoutExtension(file)) ?? Path.ChangeExtension(file, options.CaptionExtension)));
            images.AddRange(ReadAll(sourceImages.ToList(), repeats, words, options, report));
        }
        if (imageFiles == 0)
            throw new ArgumentException($"{folder}: no training images ({string.Join(", ", ImageExtensions)}) in the folder{(sources.Count > 1 ? " or its <repeats>_<words> subfolders" : "")}");
        return Finish(folder, images, imageFiles, report);
    }

    /// <summary>
    /// Validates the given image files (each with its same-named caption file, or the template), as <see cref="Load"/>
    /// does for a folder; <paramref name="description"/> names the set in messages.
    /// </summary>
    public static TrainingImageSet FromFiles(IReadOnlyList<string> imageFiles, ImageFolderOptions options, string description)
    {
        options.Validate();
        if (imageFiles.Count == 0) throw new ArgumentException($"{description}: no images");
        var report = new ProblemReport(options.OnBadImage);
        var images = ReadAll(imageFiles.Select(f => (f, Path.ChangeExtension(f, options.CaptionExtension))).ToList(), options.Repeats, null, options, report);
        return Finish(description, images, imageFiles.Count, report);
    }

    static TrainingImageSet Finish(string description, IReadOnlyList<TrainingImage> images, int candidates, ProblemReport report)
    {
        if (images.Count == 0)
            throw new ArgumentException($"{description}: none of the {candidates} images can be used:{Environment.NewLine}{string.Join(Environment.NewLine, report.Warnings)}");
        return new TrainingImageSet(images, report.Warnings);
    }

    /// <summary>
    /// Reads (image, caption file) pairs in parallel (decoding dominates), then reports problems in file order, so the
    /// first problem refused or the order of warnings does not depend on thread timing.
    /// </summary>
    static List<TrainingImage> ReadAll(List<(string Image, string CaptionFile)> files, int repeats, string? folderWords, ImageFolderOptions options, ProblemReport report)
    {
        var outcomes = new (TrainingImage? Image, Exception? Problem)[files.Count];
        Parallel.For(0, files.Count, i =>
        {
            try
            {
                outcomes[i] = (Read(files[i].Image, files[i].CaptionFile, repeats, folderWords, options), null);
            }
            catch (Exception e) when (e is ImageFileException or ArgumentException)
            {
                outcomes[i] = (null, e);
            }
        });
        var images = new List<TrainingImage>(files.Count);
        foreach (var (image, problem) in outcomes)
        {
            if (problem is not null) report.Problem(problem);
            else images.Add(image!);
        }
        return images;
    }

    static TrainingImage Read(string file, string captionFile, int repeats, string? folderWords, ImageFolderOptions options)
    {
        var size = ReadSize(file, options.MinimumSide);
        var caption = ResolveCaption(file, captionFile, folderWords, options);
        return new TrainingImage(Path.GetFullPath(file), caption, size.Width, size.Height, repeats, HashContent(file));
    }

    static ImageSize ReadSize(string file, int minimumSide)
    {
        using var bitmap = ImageLoader.LoadRgb(file);
        if (Math.Min(bitmap.Width, bitmap.Height) < minimumSide)
            throw new ImageFileException(file, $"the image is {bitmap.Width}x{bitmap.Height} pixels, below the minimum of {minimumSide} pixels on its shorter side");
        return new ImageSize(bitmap.Width, bitmap.Height);
    }

    static string ResolveCaption(string imageFile, string captionFile, string? folderWords, ImageFolderOptions options)
    {
        var fileCaption = ReadCaption(captionFile);
        if (options.CaptionTemplate is { } template)
        {
            if (!CaptionTemplate.UsesFilewords(template)) return template.Trim();
            var words = fileCaption ?? folderWords
                ?? throw new ArgumentException($"{imageFile}: the caption template uses {CaptionTemplate.FilewordsToken} but {Path.GetFileName(captionFile)} is missing or empty");
            return CaptionTemplate.Apply(template, words);
        }
        return fileCaption ?? folderWords
            ?? throw new ArgumentException($"{imageFile}: no caption: {Path.GetFileName(captionFile)} is missing or empty and no caption template (instance prompt) was given");
    }

    /// <summary>The caption file's text with line breaks and runs of spaces made single spaces; null when absent or blank.</summary>
    static string? ReadCaption(string captionFile)
    {
        if (!File.Exists(captionFile)) return null;
        var text = Whitespace().Replace(FileAccessException.Guard(captionFile, "read", () => File.ReadAllText(captionFile)), " ").Trim();
        return text.Length == 0 ? null : text;
    }

    static string HashContent(string file)
    {
        using var stream = FileAccessException.Guard(file, "read", () => File.OpenRead(file));
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    static bool IsVisible(string path) => !Path.GetFileName(path).StartsWith('.');

    static bool IsImageFile(string path) =>
        ImageExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    static bool IsCaptionFile(string path, ImageFolderOptions options) =>
        string.Equals(Path.GetExtension(path), options.CaptionExtension, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>Throws each problem or keeps it as a warning, as the folder's <see cref="BadImageHandling"/> says.</summary>
    sealed class ProblemReport(BadImageHandling handling)
    {
        public List<string> Warnings { get; } = [];

        public void Problem(Exception problem)
        {
            // Rethrown with its original stack, which points at the loader that found the problem.
            if (handling == BadImageHandling.Refuse) ExceptionDispatchInfo.Throw(problem);
            Warnings.Add($"{problem.Message} (skipped)");
        }
    }
}
