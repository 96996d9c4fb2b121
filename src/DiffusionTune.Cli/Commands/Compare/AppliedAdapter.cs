using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Models.Adapters;

namespace DiffusionTune.Cli.Commands.Compare;

/// <summary>
/// A column's adapter applied to a loaded model for the time of that column: the model is loaded once for all its
/// columns, so disposing this undoes the LoRA merge (restorably merged) or removes the hypernetwork hooks.
/// </summary>
public sealed class AppliedAdapter : IDisposable
{
    readonly MergedLoras? _merge;
    readonly HypernetworkApplication? _hypernetworks;

    AppliedAdapter(MergedLoras? merge, IReadOnlyList<AppliedLora> loras, HypernetworkApplication? hypernetworks)
    {
        _merge = merge;
        _hypernetworks = hypernetworks;
        Loras = loras;
    }

    /// <summary>The LoRAs merged in, for the image metadata.</summary>
    public IReadOnlyList<AppliedLora> Loras { get; }

    /// <summary>The hypernetworks hooked in, for the image metadata.</summary>
    public IReadOnlyList<AppliedHypernetwork> Hypernetworks => _hypernetworks?.Applied ?? [];

    /// <summary>Applies <paramref name="adapter"/> (nothing when null) to <paramref name="model"/>.</summary>
    public static AppliedAdapter Apply(StableDiffusionModel model, ComparisonAdapter? adapter)
    {
        switch (adapter?.Kind)
        {
            case AdapterKind.Lora:
                var (merge, loras) = LoraMerging.Merge(model, [new LoraArgument(adapter.Path, adapter.Strength)], restorable: true);
                return new AppliedAdapter(merge, loras, null);
            case AdapterKind.Hypernetwork:
                return new AppliedAdapter(null, [], HypernetworkApplication.Attach(model, [(adapter.Path, adapter.Strength, null)]));
            default:
                return new AppliedAdapter(null, [], null);
        }
    }

    public void Dispose()
    {
        if (_merge is not null)
        {
            _merge.Unmerge();
            _merge.Dispose();
        }
        _hypernetworks?.Dispose();
    }
}
