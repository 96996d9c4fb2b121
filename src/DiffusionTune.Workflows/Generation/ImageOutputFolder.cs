using System.Text.RegularExpressions;
using DiffusionTune.IO;
using DiffusionTune.IO.Images;
using SkiaSharp;

namespace DiffusionTune.Workflows.Generation;

/// <summary>
/// Writes numbered images (<c>00012-1234.png</c>, A1111's naming: index then seed) into a folder, continuing after the
/// highest index already there and never replacing an existing file.
/// </summary>
public sealed partial class ImageOutputFolder
{
    int _nextIndex;

    public ImageOutputFolder(string folder)
    {
        Folder = Path.GetFullPath(folder);
        Folders.Create(Folder);
        _nextIndex = Directory.EnumerateFiles(Folder)
            .Select(path => NumberedFile().Match(Path.GetFileName(path)))
            .Where(match => match.Success)
            .Select(match => int.Parse(match.Groups[1].Value) + 1)
            .DefaultIfEmpty(0)
            .Max();
    }

    public string Folder { get; }

    /// <summary>Saves <paramref name="image"/> with its generation parameters in the PNG's <c>parameters</c> text chunk.</summary>
    public string Save(SKBitmap image, GenerationParameters parameters)
    {
        while (true)
        {
            var path = Path.Combine(Folder, $"{_nextIndex++:D5}-{parameters.Seed}.png");
            if (File.Exists(path)) continue;
            try
            {
                PngWriter.Write(path, image, [new("parameters", parameters.ToParametersText())], overwrite: false);
                return path;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process took this name between the check and the write: try the next one.
            }
        }
    }

    /// <summary>A manifest file name for a new run, unused in the folder (runs finishing in the same second get a suffix).</summary>
    public string NewManifestPath()
    {
        var stem = $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}";
        var path = Path.Combine(Folder, $"{stem}.json");
        for (int n = 2; File.Exists(path); n++) path = Path.Combine(Folder, $"{stem}-{n}.json");
        return path;
    }

    [GeneratedRegex(@"^(\d{5,})-")]
    private static partial Regex NumberedFile();
}
