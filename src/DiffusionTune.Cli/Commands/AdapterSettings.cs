using DiffusionTune.Diffusion.Pipelines;

namespace DiffusionTune.Cli.Commands;

/// <summary>The adapters a command was asked to apply: LoRA files with strengths, a folder of embeddings, hypernetworks with strengths.</summary>
public sealed record AdapterSettings
{
    public IReadOnlyList<string> Loras { get; init; } = [];
    public string? Embeddings { get; init; }
    public IReadOnlyList<string> Hypernetworks { get; init; } = [];

    public bool Any => Loras.Count > 0 || Embeddings is not null || Hypernetworks.Count > 0;

    /// <summary>Merges the LoRAs into <paramref name="model"/>, loads the embeddings and hooks the hypernetworks in (until disposed).</summary>
    public AppliedAdapters ApplyTo(StableDiffusionModel model)
    {
        var loras = LoraMerging.MergeInto(model, Loras.Select(LoraArgument.Parse).ToList());
        var embeddings = Embeddings is null ? [] : EmbeddingLoading.LoadInto(model, Embeddings);
        return new AppliedAdapters(loras, embeddings, HypernetworkApplication.Attach(model, Hypernetworks));
    }
}

/// <summary>The adapters applied to a loaded model; disposing unhooks the hypernetworks.</summary>
public sealed record AppliedAdapters(IReadOnlyList<AppliedLora> Loras, IReadOnlyList<LoadedEmbedding> Embeddings, HypernetworkApplication Hypernetworks) : IDisposable
{
    public void Dispose() => Hypernetworks.Dispose();
}
