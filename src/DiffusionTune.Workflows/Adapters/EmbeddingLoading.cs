using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Models.Adapters;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Adapters;

/// <summary>Registers embedding folders (<c>--embeddings</c>) with a model and tells the user what loaded and what was skipped.</summary>
public static class EmbeddingLoading
{
    /// <summary>Loads every embedding in <paramref name="folder"/> into <paramref name="model"/>, reporting as A1111 does.</summary>
    public static IReadOnlyList<LoadedEmbedding> LoadInto(StableDiffusionModel model, string folder, IWorkflowReporter reporter)
    {
        var report = EmbeddingFolder.LoadInto(model, folder);
        reporter.Message($"Textual inversion embeddings loaded ({report.Loaded.Count}): {string.Join(", ", report.Loaded.Select(e => e.VectorCount == 1 ? e.Name : $"{e.Name} ({e.VectorCount} vectors)"))}");
        foreach (var skipped in report.Skipped)
            reporter.Warning($"skipped embedding {skipped.FilePath}: {skipped.Reason}");
        return report.Loaded;
    }

    /// <summary>A1111's "TI hashes" value for the embeddings a prompt uses: <c>name: hash, …</c>; null when it uses none.</summary>
    public static string? HashesText(IEnumerable<LoadedEmbedding> embeddings, params string[] prompts)
    {
        var used = embeddings.Where(e => prompts.Any(prompt => PromptWord.Occurs(prompt, e.Name))).Select(e => $"{e.Name.Replace(":", "").Replace(",", "")}: {e.ShortHash}").ToList();
        return used.Count == 0 ? null : string.Join(", ", used);
    }
}
