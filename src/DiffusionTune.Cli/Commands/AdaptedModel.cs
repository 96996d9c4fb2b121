using DiffusionTune.Diffusion.Pipelines;

namespace DiffusionTune.Cli.Commands;

/// <summary>The adapters a command applies to a model, as the user gave them.</summary>
public sealed record ModelAdapters
{
    /// <summary>LoRA-family files, merged in this order.</summary>
    public IReadOnlyList<LoraArgument> Loras { get; init; } = [];

    /// <summary>A folder of textual-inversion embeddings (or one embedding file), or null.</summary>
    public string? Embeddings { get; init; }

    /// <summary>Hypernetworks as <c>FILE[:STRENGTH]</c>, chained in this order.</summary>
    public IReadOnlyList<string> Hypernetworks { get; init; } = [];
}

/// <summary>
/// A loaded model with <see cref="ModelAdapters"/> applied, as <c>generate</c> applies them: LoRAs merged into the
/// weights, embeddings registered, hypernetworks hooked into the UNet. Owns the model; Dispose frees both.
/// </summary>
public sealed class AdaptedModel : IDisposable
{
    readonly HypernetworkApplication _hypernetworks;

    AdaptedModel(StableDiffusionModel model, IReadOnlyList<AppliedLora> loras, IReadOnlyList<LoadedEmbedding> embeddings, HypernetworkApplication hypernetworks)
    {
        Model = model;
        Loras = loras;
        Embeddings = embeddings;
        _hypernetworks = hypernetworks;
    }

    public StableDiffusionModel Model { get; }

    public IReadOnlyList<AppliedLora> Loras { get; }

    public IReadOnlyList<LoadedEmbedding> Embeddings { get; }

    public IReadOnlyList<AppliedHypernetwork> Hypernetworks => _hypernetworks.Applied;

    /// <summary>Applies <paramref name="adapters"/> to <paramref name="model"/>, which it then owns (and disposes when applying fails).</summary>
    public static AdaptedModel Apply(StableDiffusionModel model, ModelAdapters adapters)
    {
        try
        {
            var loras = LoraMerging.MergeInto(model, adapters.Loras);
            var embeddings = adapters.Embeddings is null ? [] : EmbeddingLoading.LoadInto(model, adapters.Embeddings);
            return new AdaptedModel(model, loras, embeddings, HypernetworkApplication.Attach(model, adapters.Hypernetworks));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _hypernetworks.Dispose();
        Model.Dispose();
    }
}
