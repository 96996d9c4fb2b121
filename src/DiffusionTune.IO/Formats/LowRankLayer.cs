using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// Plain LoRA and kohya's LoCon: <c>ΔW = up · down · alpha / rank</c>. For a convolution, down carries the layer's own
/// kernel (LoCon; 1×1 for 1×1 layers) and up is always 1×1, so the update can also run as two convolutions.
/// </summary>
public sealed class LowRankLayer : LoraLayer
{
    /// <summary>
    /// Takes ownership of the tensors. <paramref name="down"/> is <c>[r, in]</c> or <c>[r, in, kh, kw]</c>,
    /// <paramref name="up"/> <c>[out, r]</c> or <c>[out, r, 1, 1]</c>; both are reshaped to the layer's kind
    /// (2-D for a Linear, 4-D for a Conv2d) where they differ only by 1×1 kernel dimensions.
    /// </summary>
    /// <param name="alpha">The stored alpha; null or 0 means alpha = rank (scale 1), as kohya reads it.</param>
    /// <exception cref="AdapterShapeException">A tensor does not fit <paramref name="target"/> or the other tensor.</exception>
    public LowRankLayer(AdaptableModule target, Tensor down, Tensor up, double? alpha = null, DoraMagnitude? dora = null)
        : base(target, dora)
    {
        var kernel = target.Kernel;
        bool pointwise = kernel.All(k => k == 1);
        var downShape = down.shape;
        var downKernel = downShape[2..];
        if (downShape.Length is not (2 or 4) || downShape[1] != target.InFeatures
            || !(downKernel.SequenceEqual(kernel) || (pointwise && downKernel.All(k => k == 1))))
            throw new AdapterShapeException(LoraPart.Down, downShape, $"which does not fit {Describe()}");
        var upShape = up.shape;
        if (upShape.Length is not (2 or 4) || upShape[0] != target.OutFeatures || upShape.Skip(2).Any(k => k != 1))
            throw new AdapterShapeException(LoraPart.Up, upShape, $"which does not fit {Describe()}");
        if (upShape[1] != downShape[0])
            throw new AdapterShapeException(LoraPart.Up, upShape, $"whose rank {upShape[1]} differs from the Down tensor's {downShape[0]}");

        long rank = downShape[0];
        long[] kernelOnes = [.. kernel.Select(_ => 1L)];
        Down = OwnedTensor.Reshaped(down, [rank, target.InFeatures, .. kernel]);
        Up = OwnedTensor.Reshaped(up, [target.OutFeatures, rank, .. kernelOnes]);
        Alpha = alpha is double stored && stored != 0 ? stored : rank;
    }

    /// <summary><c>[r, in]</c> for a Linear layer, <c>[r, in, kh, kw]</c> for a Conv2d.</summary>
    public Tensor Down { get; }

    /// <summary><c>[out, r]</c> for a Linear layer, <c>[out, r, 1, 1]</c> for a Conv2d.</summary>
    public Tensor Up { get; }

    public override long? Rank => Down.shape[0];

    public override double? Alpha { get; }

    /// <summary>
    /// A copy whose update is <paramref name="factor"/> times this one's, as a file can carry it: up scaled (in
    /// float32), down and alpha kept. This is how a strength is baked into a kohya file.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer is DoRA, whose effect is not proportional to its update.</exception>
    public LowRankLayer Scaled(double factor)
    {
        if (Dora is not null)
            throw new InvalidOperationException($"{Target}: a DoRA layer's effect is not proportional to its update, so it cannot be rescaled");
        using var scope = NewDisposeScope();
        var down = Down.detach().clone().DetachFromDisposeScope();
        var up = (Up.detach().to(ScalarType.Float32) * factor).DetachFromDisposeScope();
        return new LowRankLayer(Target, down, up, Alpha);
    }

    private protected override Tensor FullDelta(Device device)
    {
        using var scope = NewDisposeScope();
        var delta = Matrix(Up, device).mm(Matrix(Down, device)).reshape(Target.WeightShape) * Scale;
        return scope.MoveToOuter(delta);
    }

    private protected override IEnumerable<Tensor> Factors => [Down, Up];
}
