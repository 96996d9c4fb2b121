using DiffusionTune.IO;
using DiffusionTune.IO.Formats;

namespace DiffusionTune.Diffusion.Pipelines;

/// <summary>An embedding registered with a model: its trigger word and where it came from.</summary>
/// <param name="ShortHash">A1111's 12-digit embedding hash (for "TI hashes").</param>
public sealed record LoadedEmbedding(string Name, string FilePath, int VectorCount, string Format, string ShortHash);

/// <summary>An embedding file that was not registered, and why.</summary>
public sealed record SkippedEmbedding(string FilePath, string Reason);

/// <summary>What <see cref="EmbeddingFolder.LoadInto"/> registered and skipped.</summary>
public sealed record EmbeddingFolderReport(IReadOnlyList<LoadedEmbedding> Loaded, IReadOnlyList<SkippedEmbedding> Skipped);

/// <summary>
/// Registers every textual-inversion embedding in a folder (and its subfolders, as A1111 walks its embeddings folder)
/// with a model, so prompts can use their trigger words. Like A1111, a file that cannot be used — unreadable, of
/// another width (an SD 2.x embedding on an SD 1.x model), or named like a word already added — is reported and
/// skipped; the others still load. One file given on its own is what the user asked for, so a problem with it is an error.
/// </summary>
public static class EmbeddingFolder
{
    /// <param name="folder">The folder, or one embedding file (a training run's result).</param>
    /// <exception cref="ModelFileException">The folder does not exist, or the one file given cannot be used: named on purpose, it is an error rather than a skip.</exception>
    public static EmbeddingFolderReport LoadInto(StableDiffusionModel model, string folder)
    {
        if (File.Exists(folder))
        {
            try
            {
                return new EmbeddingFolderReport([Register(model, folder)], []);
            }
            catch (ArgumentException e)
            {
                throw new ModelFileException(Path.GetFullPath(folder), e.Message, e);
            }
        }
        if (!Directory.Exists(folder)) throw new ModelFileException(folder, "embeddings folder not found");
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(path => EmbeddingFile.Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        var loaded = new List<LoadedEmbedding>();
        var skipped = new List<SkippedEmbedding>();
        foreach (var path in files)
        {
            // A1111 ignores empty files (placeholders some downloads leave behind).
            if (new FileInfo(path).Length == 0) continue;
            try
            {
                loaded.Add(Register(model, path));
            }
            catch (ModelFileException e)
            {
                skipped.Add(new SkippedEmbedding(Path.GetFullPath(path), e.Problem));
            }
            catch (ArgumentException e)
            {
                skipped.Add(new SkippedEmbedding(Path.GetFullPath(path), e.Message));
            }
        }
        return new EmbeddingFolderReport(loaded, skipped);
    }

    static LoadedEmbedding Register(StableDiffusionModel model, string path)
    {
        using var embedding = EmbeddingFile.Read(path);
        model.AddEmbedding(embedding);
        return new LoadedEmbedding(embedding.Name, embedding.FilePath, embedding.VectorCount, embedding.Format, embedding.ShortHash);
    }
}
