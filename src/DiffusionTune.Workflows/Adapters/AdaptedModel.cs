using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Models.Adapters;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Adapters;

/// <summary>The adapters a workflow applies to a model, as the user gave them.</summary>
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
/// A loaded model with <see cref="ModelAdapters"/> applied for good (<see cref="AppliedAdapters"/>, the LoRA merge not
/// restorable), as <c>generate</c> applies them. Owns the model; Dispose frees both.
/// </summary>
public sealed class AdaptedModel : IDisposable
{
    readonly AppliedAdapters _adapters;

    AdaptedModel(StableDiffusionModel model, AppliedAdapters adapters)
    {
        Model = model;
        _adapters = adapters;
    }

    public StableDiffusionModel Model { get; }

    /// <summary>The merged LoRAs, then the gated ones (<see cref="AppliedLora.Trigger"/>).</summary>
    public IReadOnlyList<AppliedLora> Loras => _adapters.Loras;

    public IReadOnlyList<LoadedEmbedding> Embeddings => _adapters.Embeddings;

    public IReadOnlyList<AppliedHypernetwork> Hypernetworks => _adapters.Hypernetworks;

    public IReadOnlyList<AppliedPluginAdapter> PluginAdapters => _adapters.PluginAdapters;

    /// <summary>Applies <paramref name="adapters"/> to <paramref name="model"/>, which it then owns (and disposes when applying fails).</summary>
    public static AdaptedModel Apply(StableDiffusionModel model, ModelAdapters adapters, IWorkflowReporter reporter)
    {
        try
        {
            return new AdaptedModel(model, AppliedAdapters.Apply(model, adapters, restorable: false, reporter));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _adapters.Dispose();
        Model.Dispose();
    }
}
