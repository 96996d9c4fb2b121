using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Models.Adapters;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Adapters;

/// <summary>
/// Adapters applied to a loaded model: the one place that applies them, for a whole run (<see cref="AdaptedModel"/>),
/// one comparison column, or the prompts of a batch whose tags name the same networks. LoRAs without a trigger are
/// merged into the weights (the fast path), those with one hooked in and gated per batch row, embeddings registered,
/// hypernetworks hooked into the UNet, plugin-format adapters applied by their plugins. Disposing this undoes the plugin
/// adapters, the LoRA merge (when it was made restorably) and the hooks; embeddings stay registered.
/// </summary>
public sealed class AppliedAdapters : IDisposable
{
    readonly MergedLoras? _merge;
    readonly GatedLoraApplication _gatedLoras;
    readonly HypernetworkApplication _hypernetworks;
    readonly PluginAdapterApplication _pluginAdapters;

    AppliedAdapters(MergedLoras? merge, IReadOnlyList<AppliedLora> mergedLoras, GatedLoraApplication gatedLoras, IReadOnlyList<LoadedEmbedding> embeddings,
        HypernetworkApplication hypernetworks, PluginAdapterApplication pluginAdapters)
    {
        _merge = merge;
        _gatedLoras = gatedLoras;
        _hypernetworks = hypernetworks;
        _pluginAdapters = pluginAdapters;
        Loras = [.. mergedLoras, .. gatedLoras.Applied];
        Embeddings = embeddings;
    }

    /// <summary>The merged LoRAs, then the gated ones (<see cref="AppliedLora.Trigger"/>), for the image metadata.</summary>
    public IReadOnlyList<AppliedLora> Loras { get; }

    /// <summary>The embeddings registered, for the image metadata.</summary>
    public IReadOnlyList<LoadedEmbedding> Embeddings { get; }

    /// <summary>The hypernetworks hooked in, for the image metadata.</summary>
    public IReadOnlyList<AppliedHypernetwork> Hypernetworks => _hypernetworks.Applied;

    /// <summary>The plugin-format adapters applied, for the image metadata.</summary>
    public IReadOnlyList<AppliedPluginAdapter> PluginAdapters => _pluginAdapters.Applied;

    /// <summary>
    /// Applies <paramref name="adapters"/> as the user gave them; each LoRA and hypernetwork is gated on the trigger given
    /// after '@', else under <see cref="ModelAdapters.Gated"/> on the one its file records. With <paramref name="restorable"/>
    /// the LoRA merge is undone on Dispose; without it the merged weights stay (cheaper when the model is not reused).
    /// </summary>
    public static AppliedAdapters Apply(StableDiffusionModel model, ModelAdapters adapters, bool restorable, IWorkflowReporter reporter)
    {
        var loras = adapters.Loras.Select(l => l with { Trigger = AdapterTrigger.Resolve(l.Path, l.Trigger, adapters.Gated, "--lora") }).ToList();
        var hypernetworks = adapters.Hypernetworks.Select(argument => GatedFileArgument.Parse(argument, "--hypernetwork", "hypernetwork"))
            .Select(file => file with { Trigger = AdapterTrigger.Resolve(file.Path, file.Trigger, adapters.Gated, "--hypernetwork") })
            .ToList();
        return Apply(model, loras, adapters.Embeddings, hypernetworks, adapters.PluginAdapters, adapters.PluginFolders, restorable, reporter);
    }

    /// <summary>
    /// Merges <paramref name="loras"/> into <paramref name="model"/> restorably (those with a trigger hooked in, gated),
    /// hooks in <paramref name="hypernetworks"/> and applies <paramref name="pluginAdapters"/> through their plugins'
    /// formats (found in <paramref name="pluginFolders"/> too), until disposed.
    /// </summary>
    public static AppliedAdapters Apply(StableDiffusionModel model, IReadOnlyList<LoraArgument> loras, IReadOnlyList<(string Path, double Strength, string? Trigger)> hypernetworks,
        IWorkflowReporter reporter, IReadOnlyList<(string Path, double Strength)>? pluginAdapters = null, IReadOnlyList<string>? pluginFolders = null) =>
        Apply(model, loras, embeddings: null, hypernetworks, pluginAdapters ?? [], pluginFolders ?? [], restorable: true, reporter);

    static AppliedAdapters Apply(StableDiffusionModel model, IReadOnlyList<LoraArgument> loras, string? embeddings,
        IReadOnlyList<(string Path, double Strength, string? Trigger)> hypernetworks, IReadOnlyList<(string Path, double Strength)> pluginAdapters,
        IReadOnlyList<string> pluginFolders, bool restorable, IWorkflowReporter reporter)
    {
        MergedLoras? merge = null;
        GatedLoraApplication? gatedLoras = null;
        HypernetworkApplication? attached = null;
        try
        {
            (merge, var merged) = LoraMerging.Merge(model, [.. loras.Where(l => l.Trigger is null)], restorable, reporter);
            if (!restorable)
            {
                merge?.Dispose();
                merge = null;
            }
            gatedLoras = GatedLoraApplication.Attach(model, [.. loras.Where(l => l.Trigger is not null)], reporter);
            var loaded = embeddings is null ? [] : EmbeddingLoading.LoadInto(model, embeddings, reporter);
            attached = HypernetworkApplication.Attach(model, hypernetworks, reporter);
            var plugins = PluginAdapterApplication.Apply(model, pluginAdapters, pluginFolders, reporter);
            return new AppliedAdapters(merge, merged, gatedLoras, loaded, attached, plugins);
        }
        catch
        {
            attached?.Dispose();
            gatedLoras?.Dispose();
            Undo(merge);
            throw;
        }
    }

    public void Dispose()
    {
        _pluginAdapters.Dispose();
        Undo(_merge);
        _hypernetworks.Dispose();
        _gatedLoras.Dispose();
    }

    static void Undo(MergedLoras? merge)
    {
        if (merge is null) return;
        merge.Unmerge();
        merge.Dispose();
    }
}
