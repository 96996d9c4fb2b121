using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// LyCORIS LoKr: the Kronecker product of a small factor w1 <c>[out₁, in₁]</c> and a large factor w2
/// <c>[out₂, in₂(, kh, kw)]</c>, <c>ΔW = w1 ⊗ w2 · scale</c>. Each factor is stored whole or as a low-rank product
/// (<c>w1a · w1b</c>, <c>w2a · w2b</c>, or for convolutions a Tucker core <c>t2</c> with <c>w2a [r, out₂]</c>,
/// <c>w2b [r, in₂]</c>). The scale is alpha / rank only when a factor is low-rank; with both stored whole it is 1.
/// </summary>
public sealed class LokrLayer : LoraLayer
{
    /// <summary>
    /// Takes ownership of the tensors. Give w1 either whole (<paramref name="w1"/>) or as <paramref name="w1a"/> and
    /// <paramref name="w1b"/>; likewise w2, optionally with the Tucker core <paramref name="t2"/>.
    /// </summary>
    /// <param name="alpha">The stored alpha; null or 0 means alpha = rank (scale 1).</param>
    /// <exception cref="AdapterShapeException">The factors' Kronecker product does not fit <paramref name="target"/>.</exception>
    public LokrLayer(AdaptableModule target, Tensor? w1, Tensor? w1a, Tensor? w1b, Tensor? w2, Tensor? w2a, Tensor? w2b, Tensor? t2 = null,
        double? alpha = null, DoraMagnitude? dora = null)
        : base(target, dora)
    {
        if ((w1 is null) == (w1a is null || w1b is null) || (w1 is not null && (w1a ?? w1b) is not null))
            throw new ArgumentException("give LoKr's w1 either whole (lokr_w1) or as lokr_w1_a and lokr_w1_b");
        if ((w2 is null) == (w2a is null || w2b is null) || (w2 is not null && (w2a ?? w2b ?? t2) is not null))
            throw new ArgumentException("give LoKr's w2 either whole (lokr_w2) or as lokr_w2_a and lokr_w2_b (with lokr_t2 for Tucker)");
        (W1, W1A, W1B, W2, W2A, W2B, T2) = (w1, w1a, w1b, w2, w2a, w2b, t2);
        foreach (var (part, factor) in new[] { (LoraPart.LokrW1, w1), (LoraPart.LokrW1A, w1a), (LoraPart.LokrW1B, w1b), (LoraPart.LokrW2A, w2a), (LoraPart.LokrW2B, w2b) })
        {
            if (factor is not null && factor.dim() != 2)
                throw new AdapterShapeException(part, factor.shape, "but LoKr factors are matrices");
        }
        if (w2 is not null && w2.dim() is not (2 or 4))
            throw new AdapterShapeException(LoraPart.LokrW2, w2.shape, "but LoKr's w2 is a matrix or a convolution kernel");
        if (t2 is not null && t2.dim() != 4)
            throw new AdapterShapeException(LoraPart.LokrT2, t2.shape, "but a Tucker core is 4-D");
        if (w1a is not null && w1a.shape[1] != w1b!.shape[0])
            throw new AdapterShapeException(LoraPart.LokrW1B, w1b.shape, $"whose rank {w1b.shape[0]} differs from the LokrW1A tensor's {w1a.shape[1]}");
        if (w2a is not null && (t2 is null ? w2a.shape[1] != w2b!.shape[0] : t2.shape[0] != w2a.shape[0] || t2.shape[1] != w2b!.shape[0]))
            throw new AdapterShapeException(LoraPart.LokrW2B, w2b!.shape, $"whose rank {w2b.shape[0]} does not match the LokrW2A tensor {AdaptableModule.FormatShape(w2a.shape)}{(t2 is null ? "" : $" and the LokrT2 tensor {AdaptableModule.FormatShape(t2.shape)}")}");

        var (out1, in1) = w1 is not null ? (w1.shape[0], w1.shape[1]) : (w1a!.shape[0], w1b!.shape[1]);
        var (out2, in2) = w2 is not null ? (w2.shape[0], Product(w2.shape.Skip(1)))
            : t2 is not null ? (w2a!.shape[1], w2b!.shape[1] * Product(t2.shape.Skip(2)))
            : (w2a!.shape[0], Product(w2b!.shape.Skip(1)));
        var (firstPart, first) = w1 is not null ? (LoraPart.LokrW1, w1) : (LoraPart.LokrW1A, w1a!);
        if (out1 * out2 != target.OutFeatures || in1 * in2 != target.InFeatures * target.KernelArea)
            throw new AdapterShapeException(firstPart, first.shape,
                $"which with w2 [{out2}, {in2}] makes a [{out1 * out2}, {in1 * in2}] update that does not fit {Describe()}");
        if (t2 is not null && (!target.IsConvolution || !t2.shape[2..].SequenceEqual(target.Kernel)))
            throw new AdapterShapeException(LoraPart.LokrT2, t2.shape, $"which does not fit {Describe()}");

        Rank = (w2b ?? w1b)?.shape[0];
        if (Rank is long rank)
            Alpha = alpha is double stored && stored != 0 ? stored : rank;
    }

    public Tensor? W1 { get; }

    public Tensor? W1A { get; }

    public Tensor? W1B { get; }

    public Tensor? W2 { get; }

    public Tensor? W2A { get; }

    public Tensor? W2B { get; }

    public Tensor? T2 { get; }

    public override long? Rank { get; }

    public override double? Alpha { get; }

    private protected override Tensor FullDelta(Device device)
    {
        using var scope = NewDisposeScope();
        var small = W1 is not null ? Matrix(W1, device) : Matrix(W1A!, device).mm(Matrix(W1B!, device));
        var large = W2 is not null ? Matrix(W2, device)
            : T2 is not null ? einsum("pqhw,po,qi->oihw", T2.to(ScalarType.Float32, device), W2A!.to(ScalarType.Float32, device), W2B!.to(ScalarType.Float32, device)).flatten(1)
            : Matrix(W2A!, device).mm(Matrix(W2B!, device));
        // The 2-D Kronecker product of w1 with w2 flattened to [out₂, in₂·kh·kw], reshaped, equals the 4-D one LyCORIS takes.
        long out1 = small.shape[0], in1 = small.shape[1], out2 = large.shape[0], in2 = large.shape[1];
        var kronecker = (small.reshape(out1, 1, in1, 1) * large.reshape(1, out2, 1, in2)).reshape(Target.WeightShape);
        return scope.MoveToOuter(kronecker * Scale);
    }

    private protected override IEnumerable<Tensor> Factors => new[] { W1, W1A, W1B, W2, W2A, W2B, T2 }.OfType<Tensor>();
}
