using DiffusionTune.Diffusion.Pipelines;

namespace DiffusionTune.Cli.Commands;

/// <summary>The adapters a command applies to a model, as the user gave them.</summary>
public sealed record ModelAdapters
{
    /// <summary>LoRA-family files: those without a trigger merged in this order, those with one hooked in, gated.</summary>
    public IReadOnlyList<LoraArgument> Loras { get; init; } = [];

    /// <summary>A folder of textual-inversion embeddings (or one embedding file), or null.</summary>
    public string? Embeddings { get; init; }

    /// <summary>Hypernetworks as <c>FILE[:STRENGTH][@TRIGGER]</c>, chained in this order.</summary>
    public IReadOnlyList<string> Hypernetworks { get; init; } = [];

    /// <summary>Adapter files of plugins' own formats (<c>--adapter FILE[:STRENGTH]</c>), applied in this order.</summary>
    public IReadOnlyList<(string Path, double Strength)> PluginAdapters { get; init; } = [];

    /// <summary>Extra plugin folders (<c>--plugins-folder</c>) in which <see cref="PluginAdapters"/>' formats are looked for.</summary>
    public IReadOnlyList<string> PluginFolders { get; init; } = [];

    /// <summary>Gate every LoRA and hypernetwork given without a trigger on the trigger word its file records (<c>--gated</c>).</summary>
    public bool Gated { get; init; }
}

/// <summary>
/// A loaded model with <see cref="ModelAdapters"/> applied, as <c>generate</c> applies them: ungated LoRAs merged into
/// the weights (the fast path), gated ones hooked in per batch row, embeddings registered, hypernetworks hooked into the
/// UNet, plugin-format adapters applied by their plugins. Owns the model; Dispose frees both.
/// </summary>
public sealed class AdaptedModel : IDisposable
{
    readonly GatedLoraApplication _gatedLoras;
    readonly HypernetworkApplication _hypernetworks;
    readonly PluginAdapterApplication _pluginAdapters;

    AdaptedModel(StableDiffusionModel model, IReadOnlyList<AppliedLora> mergedLoras, GatedLoraApplication gatedLoras, IReadOnlyList<LoadedEmbedding> embeddings,
        HypernetworkApplication hypernetworks, PluginAdapterApplication pluginAdapters)
    {
        _pluginAdapters = pluginAdapters;
        Model = model;
        Loras = [.. mergedLoras, .. gatedLoras.Applied];
        Embeddings = embeddings;
        _gatedLoras = gatedLoras;
        _hypernetworks = hypernetworks;
    }

    public StableDiffusionModel Model { get; }

    /// <summary>The merged LoRAs, then the gated ones (<see cref="AppliedLora.Trigger"/>).</summary>
    public IReadOnlyList<AppliedLora> Loras { get; }

    public IReadOnlyList<LoadedEmbedding> Embeddings { get; }

    public IReadOnlyList<AppliedHypernetwork> Hypernetworks => _hypernetworks.Applied;

    public IReadOnlyList<AppliedPluginAdapter> PluginAdapters => _pluginAdapters.Applied;

    /// <summary>Applies <paramref name="adapters"/> to <paramref name="model"/>, which it then owns (and disposes when applying fails).</summary>
    public static AdaptedModel Apply(StableDiffusionModel model, ModelAdapters adapters)
    {
        GatedLoraApplication? gatedLoras = null;
        HypernetworkApplication? hypernetworks = null;
        try
        {
            var loras = adapters.Loras.Select(l => l with { Trigger = AdapterTrigger.Resolve(l.Path, l.Trigger, adapters.Gated, "--lora") }).ToList();
            var merged = LoraMerging.MergeInto(model, [.. loras.Where(l => l.Trigger is null)]);
            gatedLoras = GatedLoraApplication.Attach(model, [.. loras.Where(l => l.Trigger is not null)]);
            var embeddings = adapters.Embeddings is null ? [] : EmbeddingLoading.LoadInto(model, adapters.Embeddings);
            hypernetworks = HypernetworkApplication.Attach(model, adapters.Hypernetworks, adapters.Gated);
            var pluginAdapters = PluginAdapterApplication.Apply(model, adapters.PluginAdapters, adapters.PluginFolders);
            return new AdaptedModel(model, merged, gatedLoras, embeddings, hypernetworks, pluginAdapters);
        }
        catch
        {
            hypernetworks?.Dispose();
            gatedLoras?.Dispose();
            model.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _pluginAdapters.Dispose();
        _hypernetworks.Dispose();
        _gatedLoras.Dispose();
        Model.Dispose();
    }
}
