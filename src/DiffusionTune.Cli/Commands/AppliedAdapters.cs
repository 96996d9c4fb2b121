using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Models.Adapters;

namespace DiffusionTune.Cli.Commands;

/// <summary>
/// LoRAs, hypernetworks and plugin-format adapters applied to a loaded model for a while: for one comparison column, or
/// for the prompts of a batch whose tags name the same networks. The model stays loaded, so disposing this undoes the
/// plugin adapters and the LoRA merge (restorably merged) and removes the hypernetwork hooks.
/// </summary>
public sealed class AppliedAdapters : IDisposable
{
    readonly MergedLoras? _merge;
    readonly HypernetworkApplication _hypernetworks;
    readonly PluginAdapterApplication _pluginAdapters;

    AppliedAdapters(MergedLoras? merge, IReadOnlyList<AppliedLora> loras, HypernetworkApplication hypernetworks, PluginAdapterApplication pluginAdapters)
    {
        _merge = merge;
        _hypernetworks = hypernetworks;
        _pluginAdapters = pluginAdapters;
        Loras = loras;
    }

    /// <summary>The LoRAs merged in, for the image metadata.</summary>
    public IReadOnlyList<AppliedLora> Loras { get; }

    /// <summary>The hypernetworks hooked in, for the image metadata.</summary>
    public IReadOnlyList<AppliedHypernetwork> Hypernetworks => _hypernetworks.Applied;

    /// <summary>The plugin-format adapters applied, for the image metadata.</summary>
    public IReadOnlyList<AppliedPluginAdapter> PluginAdapters => _pluginAdapters.Applied;

    /// <summary>
    /// Merges <paramref name="loras"/> into <paramref name="model"/> (restorably), hooks in <paramref name="hypernetworks"/>
    /// and applies <paramref name="pluginAdapters"/> through their plugins' formats (found in <paramref name="pluginFolders"/> too).
    /// </summary>
    public static AppliedAdapters Apply(StableDiffusionModel model, IReadOnlyList<LoraArgument> loras, IReadOnlyList<(string Path, double Strength, string? Trigger)> hypernetworks,
        IReadOnlyList<(string Path, double Strength)>? pluginAdapters = null, IReadOnlyList<string>? pluginFolders = null)
    {
        var (merge, applied) = LoraMerging.Merge(model, loras, restorable: true);
        HypernetworkApplication? attached = null;
        try
        {
            attached = HypernetworkApplication.Attach(model, hypernetworks);
            return new AppliedAdapters(merge, applied, attached, PluginAdapterApplication.Apply(model, pluginAdapters ?? [], pluginFolders ?? []));
        }
        catch
        {
            attached?.Dispose();
            Undo(merge);
            throw;
        }
    }

    public void Dispose()
    {
        _pluginAdapters.Dispose();
        Undo(_merge);
        _hypernetworks.Dispose();
    }

    static void Undo(MergedLoras? merge)
    {
        if (merge is null) return;
        merge.Unmerge();
        merge.Dispose();
    }
}
