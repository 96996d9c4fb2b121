using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary>
/// Other ways to compute an operation, timed beside it to find slow kernels: convolutions in channels-last layout,
/// attention as explicit matmuls and softmax instead of SDPA, and normalisations and activations computed in fp32
/// (with casts in and out) instead of bf16/fp16.
/// </summary>
public static class OpVariants
{
    /// <summary>The variants worth timing for <paramref name="op"/> in <paramref name="dtype"/>, by name.</summary>
    public static IEnumerable<(string Name, IsolatedOp Op)> For(IsolatedOp op, ScalarType dtype)
    {
        if (op.Class.StartsWith("conv2d", StringComparison.Ordinal))
            yield return ("channels_last", op with { Inputs = (d, device) => op.Inputs(d, device).Select(ChannelsLast).ToArray() });
        if (op.Class.StartsWith("sdpa", StringComparison.Ordinal))
            yield return ("softmax(QKᵀ)V", op with { Run = t => ExplicitAttention(t[0], t[1], t[2]) });
        bool memoryBoundOrAttention = op.Class is "group_norm" or "layer_norm" or "silu" or "geglu gate" || op.Class.StartsWith("sdpa", StringComparison.Ordinal);
        if (dtype is ScalarType.BFloat16 or ScalarType.Float16 && memoryBoundOrAttention)
            yield return ("in fp32", op with { Run = t => op.Run(t.Select(x => x.to(ScalarType.Float32)).ToArray()).to(t[0].dtype) });
    }

    /// <summary>The same values as a leaf in channels-last (NHWC) strides, which libtorch's convolutions pick their kernels by.</summary>
    static Tensor ChannelsLast(Tensor leaf)
    {
        if (leaf.dim() != 4) return leaf;
        using var _ = no_grad();
        return leaf.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2).requires_grad_();
    }

    static Tensor ExplicitAttention(Tensor query, Tensor key, Tensor value)
    {
        double scale = 1.0 / Math.Sqrt(query.shape[^1]);
        return matmul(matmul(query, key.transpose(-2, -1)).mul(scale).softmax(-1), value);
    }
}
