using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Models.Adapters;

namespace DiffusionTune.Cli.Commands;

/// <summary>
/// LoRAs and hypernetworks applied to a loaded model for a while: for one comparison column, or for the prompts of a
/// batch whose tags name the same networks. The model stays loaded, so disposing this undoes the LoRA merge
/// (restorably merged) and removes the hypernetwork hooks.
/// </summary>
public sealed class AppliedAdapters : IDisposable
{
    readonly MergedLoras? _merge;
    readonly HypernetworkApplication _hypernetworks;

    AppliedAdapters(MergedLoras? merge, IReadOnlyList<AppliedLora> loras, HypernetworkApplication hypernetworks)
    {
        _merge = merge;
        _hypernetworks = hypernetworks;
        Loras = loras;
    }

    /// <summary>The LoRAs merged in, for the image metadata.</summary>
    public IReadOnlyList<AppliedLora> Loras { get; }

    /// <summary>The hypernetworks hooked in, for the image metadata.</summary>
    public IReadOnlyList<AppliedHypernetwork> Hypernetworks => _hypernetworks.Applied;

    /// <summary>Merges <paramref name="loras"/> into <paramref name="model"/> (restorably) and hooks in <paramref name="hypernetworks"/>.</summary>
    public static AppliedAdapters Apply(StableDiffusionModel model, IReadOnlyList<LoraArgument> loras, IReadOnlyList<(string Path, double Strength, string? Trigger)> hypernetworks)
    {
        var (merge, applied) = LoraMerging.Merge(model, loras, restorable: true);
        try
        {
            return new AppliedAdapters(merge, applied, HypernetworkApplication.Attach(model, hypernetworks));
        }
        catch
        {
            Undo(merge);
            throw;
        }
    }

    public void Dispose()
    {
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
