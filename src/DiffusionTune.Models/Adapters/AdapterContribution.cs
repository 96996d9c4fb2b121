using DiffusionTune.IO.Formats;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Adapters;

/// <summary>What one adapter adds to one layer's output at run time, for a given strength.</summary>
internal abstract class AdapterContribution : IDisposable
{
    /// <summary>Plain LoRA/LoCon runs as its two small projections; every other kind (LoHa, LoKr, DoRA) as a weight delta.</summary>
    public static AdapterContribution For(LoraLayer adapter, LeafLayer layer) => adapter is LowRankLayer { Dora: null } lowRank
        ? new LowRankContribution(lowRank, layer)
        : new WeightDeltaContribution(adapter, layer);

    /// <summary>The term to add to the layer's output for <paramref name="input"/>.</summary>
    public abstract Tensor Compute(Tensor input, double strength);

    /// <summary>Releases tensors the contribution keeps on the layer's device.</summary>
    public virtual void Dispose()
    {
    }

    /// <summary><c>up(down(x)) · s · alpha/rank</c>, with down using the layer's own kernel, stride and padding.</summary>
    sealed class LowRankContribution : AdapterContribution
    {
        readonly LeafLayer _layer;
        readonly Tensor _down;
        readonly Tensor _up;
        readonly double _scale;

        public LowRankContribution(LowRankLayer adapter, LeafLayer layer)
        {
            _layer = layer;
            var weight = layer.Weight;
            // A factor already on the layer's device and dtype is used as is, so trainable factors get their gradients.
            _down = adapter.Down.to(weight.dtype, weight.device).DetachFromDisposeScope();
            _up = adapter.Up.to(weight.dtype, weight.device).DetachFromDisposeScope();
            _scale = adapter.Scale;
        }

        public override Tensor Compute(Tensor input, double strength) =>
            _layer.Project(_layer.Apply(input, _down), _up) * (strength * _scale);

        public override void Dispose()
        {
            _down.Dispose();
            _up.Dispose();
        }
    }

    /// <summary>The layer's operation with the adapter's effective weight change, recomputed each call so it tracks the current weights.</summary>
    sealed class WeightDeltaContribution(LoraLayer adapter, LeafLayer layer) : AdapterContribution
    {
        public override Tensor Compute(Tensor input, double strength)
        {
            var weight = layer.Weight;
            var delta = adapter.Dora is null
                ? adapter.Delta(strength, weight.device)
                : adapter.MergedWeight(weight, strength) - weight.to(ScalarType.Float32);
            return layer.Apply(input, delta.to(weight.dtype));
        }
    }
}
