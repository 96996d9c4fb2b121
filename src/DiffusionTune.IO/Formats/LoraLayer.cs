using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// One layer's adapter in a LoRA-family file, normalised across dialects: the module it adapts, its weight update
/// ΔW (shaped like the module's weight, alpha/rank scaling included) and, for DoRA, the magnitudes to renormalise to.
/// Owns its tensors.
/// </summary>
public abstract class LoraLayer : IDisposable
{
    private protected LoraLayer(AdaptableModule target, DoraMagnitude? dora)
    {
        Target = target;
        Dora = dora;
    }

    public AdaptableModule Target { get; }

    /// <summary>The rank the update is scaled by (alpha / rank); null for a LoKr layer whose factors are both stored whole.</summary>
    public abstract long? Rank { get; }

    /// <summary>The alpha in effect (the stored one, or the rank when none was stored); null where <see cref="Rank"/> is.</summary>
    public abstract double? Alpha { get; }

    /// <summary>alpha / rank, or 1 where no rank applies.</summary>
    public double Scale => Rank is long rank && Alpha is double alpha ? alpha / rank : 1.0;

    /// <summary>DoRA's magnitudes, or null for a plain (additive) adapter.</summary>
    public DoraMagnitude? Dora { get; }

    /// <summary>
    /// <c>strength · ΔW</c> as a float32 tensor shaped like the module's weight, on <paramref name="device"/> (the CPU by
    /// default). For DoRA this is the update before renormalisation; use <see cref="MergedWeight"/> for the result.
    /// </summary>
    public Tensor Delta(double strength = 1.0, Device? device = null)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(FullDelta(device ?? CPU) * strength);
    }

    /// <summary>
    /// The module's weight with this adapter applied at <paramref name="strength"/>, in float32 on the weight's device:
    /// <c>W + s·ΔW</c>, or for DoRA <c>W + s·(W' − W)</c> with <c>W' = m·(W + ΔW)/‖W + ΔW‖</c>, so that strength 0 gives
    /// W and 1 gives W'.
    /// </summary>
    public Tensor MergedWeight(Tensor weight, double strength)
    {
        if (!weight.shape.SequenceEqual(Target.WeightShape))
            throw new ArgumentException($"{Target} has weight shape {AdaptableModule.FormatShape(Target.WeightShape)}, not {AdaptableModule.FormatShape(weight.shape)}", nameof(weight));
        using var scope = NewDisposeScope();
        var original = weight.to(ScalarType.Float32);
        var delta = FullDelta(weight.device);
        var merged = Dora is null ? original + delta * strength : original + (Dora.Apply(original, delta) - original) * strength;
        return scope.MoveToOuter(merged);
    }

    /// <summary>ΔW at strength 1, alpha/rank included, float32, shaped like the module's weight, on <paramref name="device"/>.</summary>
    private protected abstract Tensor FullDelta(Device device);

    /// <summary>The tensors this layer owns, besides the DoRA magnitudes.</summary>
    private protected abstract IEnumerable<Tensor> Factors { get; }

    /// <summary>A factor as float32 on <paramref name="device"/>, flattened to 2-D (<c>[rows, everything else]</c>).</summary>
    private protected static Tensor Matrix(Tensor factor, Device device) =>
        factor.to(ScalarType.Float32, device).flatten(1);

    private protected static long Product(IEnumerable<long> values) => values.Aggregate(1L, (a, b) => a * b);

    private protected string Describe() => $"{Target} (weight shape {AdaptableModule.FormatShape(Target.WeightShape)})";

    public void Dispose()
    {
        foreach (var factor in Factors) factor.Dispose();
        Dora?.Dispose();
        GC.SuppressFinalize(this);
    }
}
