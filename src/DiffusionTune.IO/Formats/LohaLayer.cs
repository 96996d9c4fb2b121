using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// LyCORIS LoHa: the Hadamard (elementwise) product of two low-rank matrices,
/// <c>ΔW = (w1a · w1b) ⊙ (w2a · w2b) · alpha / rank</c>. For convolutions the b matrices span <c>in·kh·kw</c>; with
/// Tucker decomposition each factor is instead rebuilt from a core <c>t [r, r, kh, kw]</c> as
/// <c>W[o, i, …] = Σ t[p, q, …] · a[p, o] · b[q, i]</c> (a is then <c>[r, out]</c>, b <c>[r, in]</c>).
/// </summary>
public sealed class LohaLayer : LoraLayer
{
    /// <summary>Takes ownership of the tensors; <paramref name="t1"/> and <paramref name="t2"/> come together or not at all.</summary>
    /// <param name="alpha">The stored alpha; null or 0 means alpha = rank (scale 1).</param>
    /// <exception cref="AdapterShapeException">A tensor does not fit <paramref name="target"/> or the others.</exception>
    public LohaLayer(AdaptableModule target, Tensor w1a, Tensor w1b, Tensor w2a, Tensor w2b, Tensor? t1 = null, Tensor? t2 = null,
        double? alpha = null, DoraMagnitude? dora = null)
        : base(target, dora)
    {
        if ((t1 is null) != (t2 is null))
            throw new ArgumentException("LoHa's Tucker cores hada_t1 and hada_t2 come together or not at all");
        CheckFactor(w1a, w1b, t1, LoraPart.HadaW1A, LoraPart.HadaW1B, LoraPart.HadaT1);
        CheckFactor(w2a, w2b, t2, LoraPart.HadaW2A, LoraPart.HadaW2B, LoraPart.HadaT2);
        (W1A, W1B, W2A, W2B, T1, T2) = (w1a, w1b, w2a, w2b, t1, t2);
        Alpha = alpha is double stored && stored != 0 ? stored : w1b.shape[0];
    }

    public Tensor W1A { get; }

    public Tensor W1B { get; }

    public Tensor W2A { get; }

    public Tensor W2B { get; }

    /// <summary>The first factor's Tucker core, or null.</summary>
    public Tensor? T1 { get; }

    /// <summary>The second factor's Tucker core, or null.</summary>
    public Tensor? T2 { get; }

    public override long? Rank => W1B.shape[0];

    public override double? Alpha { get; }

    private protected override Tensor FullDelta(Device device)
    {
        using var scope = NewDisposeScope();
        var delta = Rebuild(W1A, W1B, T1, device) * Rebuild(W2A, W2B, T2, device) * Scale;
        return scope.MoveToOuter(delta);
    }

    private protected override IEnumerable<Tensor> Factors => new[] { W1A, W1B, W2A, W2B, T1, T2 }.OfType<Tensor>();

    Tensor Rebuild(Tensor a, Tensor b, Tensor? core, Device device) => core is null
        ? Matrix(a, device).mm(Matrix(b, device)).reshape(Target.WeightShape)
        : einsum("pqhw,po,qi->oihw", core.to(ScalarType.Float32, device), a.to(ScalarType.Float32, device), b.to(ScalarType.Float32, device));

    void CheckFactor(Tensor a, Tensor b, Tensor? core, LoraPart aPart, LoraPart bPart, LoraPart corePart)
    {
        if (core is null)
        {
            if (a.dim() != 2 || a.shape[0] != Target.OutFeatures)
                throw new AdapterShapeException(aPart, a.shape, $"which does not fit {Describe()}");
            if (b.dim() < 2 || Product(b.shape.Skip(1)) != Target.InFeatures * Target.KernelArea)
                throw new AdapterShapeException(bPart, b.shape, $"which does not fit {Describe()}");
            if (b.shape[0] != a.shape[1])
                throw new AdapterShapeException(bPart, b.shape, $"whose rank {b.shape[0]} differs from the {aPart} tensor's {a.shape[1]}");
            return;
        }
        if (!Target.IsConvolution || core.dim() != 4 || !core.shape[2..].SequenceEqual(Target.Kernel))
            throw new AdapterShapeException(corePart, core.shape, $"which does not fit {Describe()}");
        if (a.dim() != 2 || a.shape[1] != Target.OutFeatures || a.shape[0] != core.shape[0])
            throw new AdapterShapeException(aPart, a.shape, $"which with the {corePart} tensor {AdaptableModule.FormatShape(core.shape)} does not fit {Describe()}");
        if (b.dim() != 2 || b.shape[1] != Target.InFeatures || b.shape[0] != core.shape[1])
            throw new AdapterShapeException(bPart, b.shape, $"which with the {corePart} tensor {AdaptableModule.FormatShape(core.shape)} does not fit {Describe()}");
    }
}
