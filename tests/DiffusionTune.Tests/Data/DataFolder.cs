using DiffusionTune.Tests.Images;
using SkiaSharp;

namespace DiffusionTune.Tests.Data;

/// <summary>A scratch folder that tests fill with small images, captions and broken files.</summary>
sealed class DataFolder : IDisposable
{
    readonly ScratchFolder _scratch = new();

    public string Path => _scratch.Path;

    /// <summary>Writes a noise image (distinct per <paramref name="seed"/>) in the format its extension names; returns its path.</summary>
    public string Image(string relativePath, int width = 64, int height = 64, int seed = 0)
    {
        using var bitmap = TestImages.Noise(width, height, seed);
        var bytes = System.IO.Path.GetExtension(relativePath).ToLowerInvariant() switch
        {
            ".png" => TestImages.Encode(bitmap, SKEncodedImageFormat.Png),
            ".jpg" or ".jpeg" => TestImages.Encode(bitmap, SKEncodedImageFormat.Jpeg, 90),
            ".webp" => TestImages.Encode(bitmap, SKEncodedImageFormat.Webp, 90),
            ".bmp" => TestImages.Bmp(bitmap),
            var other => throw new ArgumentException($"no encoder for {other}"),
        };
        return Bytes(relativePath, bytes);
    }

    public string Text(string relativePath, string text)
    {
        var path = Full(relativePath);
        File.WriteAllText(path, text);
        return path;
    }

    public string Bytes(string relativePath, byte[] bytes)
    {
        var path = Full(relativePath);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string Full(string relativePath)
    {
        var path = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        return path;
    }

    public void Dispose() => _scratch.Dispose();
}
