using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Adapters;

/// <summary>
/// LoRA-family adapters merged into a model's weights: <c>W ← W + s·ΔW</c>, or DoRA's renormalised weight blended in
/// by strength, s per layer (<see cref="WeightedLora.StrengthOf"/>). Adapters stack in the order given; each changed weight is computed in float32 and rounded to the
/// model's dtype once, however many adapters touch it. A restorable merge keeps a copy of every weight it changes, so
/// <see cref="Unmerge"/> puts back the original bits exactly; Dispose drops those copies and keeps the merge.
/// </summary>
public sealed class MergedLoras : IDisposable
{
    readonly List<(LeafLayer Layer, Tensor Original)> _originals;
    bool _unmerged;

    MergedLoras(int layerCount, List<(LeafLayer, Tensor)> originals, bool restorable)
    {
        LayerCount = layerCount;
        _originals = originals;
        IsRestorable = restorable;
    }

    /// <summary>How many of the model's layers changed.</summary>
    public int LayerCount { get; }

    public bool IsRestorable { get; }

    /// <summary>Merges <paramref name="loras"/> into <paramref name="model"/>'s weights.</summary>
    /// <param name="restorable">Keep the original weights (memory for every changed layer) so the merge can be undone.</param>
    /// <exception cref="ArgumentException">
    /// An adapter names a layer the model lacks or gives it another shape, or a merged weight would hold NaN or ±∞ (a
    /// strength too large for the weights' dtype). A restorable merge is undone first; any other leaves the model partly merged.
    /// </exception>
    public static MergedLoras Merge(AdaptableLayers model, IEnumerable<WeightedLora> loras, bool restorable = true)
    {
        var order = new List<LeafLayer>();
        var adaptersOf = new Dictionary<LeafLayer, List<(LoraLayer Adapter, double Strength)>>();
        foreach (var lora in loras)
        {
            foreach (var adapter in lora.Layers)
            {
                double strength = lora.StrengthOf(adapter.Target);
                if (strength == 0) continue;
                var layer = model[adapter.Target];
                if (!adaptersOf.TryGetValue(layer, out var adapters))
                {
                    adaptersOf[layer] = adapters = [];
                    order.Add(layer);
                }
                adapters.Add((adapter, strength));
            }
        }

        var originals = new List<(LeafLayer, Tensor)>();
        foreach (var layer in order)
        {
            var weight = layer.Weight;
            if (restorable)
            {
                using var detached = weight.detach();
                originals.Add((layer, detached.clone().DetachFromDisposeScope()));
            }
            using var scope = NewDisposeScope();
            Tensor merged = weight;
            foreach (var (adapter, strength) in adaptersOf[layer])
                merged = adapter.MergedWeight(merged, strength);
            // Every input was finite when read, but the sum can still overflow once rounded to the model's dtype.
            var rounded = merged.to(weight.dtype);
            if (NonFiniteValues.Count(rounded) is > 0 and var nonFinite)
            {
                if (restorable) new MergedLoras(order.Count, originals, restorable).Unmerge();
                var strengths = string.Join(", ", adaptersOf[layer].Select(a => a.Strength.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
                throw new ArgumentException(
                    $"merging LoRA into {layer.Target} at strength {strengths} gives {nonFinite} non-finite weight value(s) (NaN/Inf) in {weight.dtype}; is the strength too large?");
            }
            using (no_grad())
                weight.copy_(rounded);
        }
        return new MergedLoras(order.Count, originals, restorable);
    }

    /// <summary>Puts every changed weight back exactly as it was before the merge.</summary>
    /// <exception cref="InvalidOperationException">The merge was not restorable, or was already undone.</exception>
    public void Unmerge()
    {
        if (!IsRestorable) throw new InvalidOperationException("this merge kept no original weights; merge with restorable: true to undo it");
        if (_unmerged) throw new InvalidOperationException("the merge was already undone");
        using (no_grad())
        {
            foreach (var (layer, original) in _originals)
                layer.Weight.copy_(original);
        }
        _unmerged = true;
        DisposeOriginals();
    }

    public void Dispose() => DisposeOriginals();

    void DisposeOriginals()
    {
        foreach (var (_, original) in _originals) original.Dispose();
        _originals.Clear();
    }
}
