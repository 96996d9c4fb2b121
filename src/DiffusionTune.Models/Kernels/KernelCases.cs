using DiffusionTune.Contracts;
using DiffusionTune.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Kernels;

/// <summary>
/// The <see cref="KernelCase"/>s a model runs: every distinct convolution, linear layer, norm and attention shape class
/// found by walking its layers (so a model built on <c>meta</c> serves, and a model added later is covered without a
/// list to update), the adapter projections trained on its layers, the shape-free operations every model uses, and the
/// small sample that <c>doctor</c>, <c>train</c> and <c>generate</c> check on the running host.
/// </summary>
public static class KernelCases
{
    const long Batch = 2;

    /// <summary>
    /// Every distinct operation of <paramref name="model"/>'s layers, at a small batch and image size (which kernel
    /// libtorch picks, and whether it is right, depends on those too, so channel-poor convolutions run at two sizes).
    /// </summary>
    public static IReadOnlyList<KernelCase> OfModel(nn.Module model, long tokens = 16)
    {
        var cases = new Dictionary<string, KernelCase>();
        void Add(KernelCase kernelCase) => cases.TryAdd(kernelCase.ToString(), kernelCase);
        foreach (var module in model.modules())
        {
            switch (module)
            {
                case Convolution conv when !conv.transposed:
                    foreach (long size in ImageSizes(conv.in_channels, conv.out_channels))
                    {
                        var convolution = Convolution(conv.in_channels, conv.out_channels, conv.kernel_size[0], conv.stride[0], conv.padding?[0] ?? 0, size, conv.bias is not null);
                        Add(convolution);
                        // A first layer's input needs no gradient, and SafeConvolution then takes another path.
                        if (conv.in_channels % SafeConvolution.InputChannelBlock != 0) Add(convolution with { DataNeedsGradient = false });
                    }
                    break;
                case Linear linear:
                    Add(Linear(linear.weight!.shape[1], linear.weight.shape[0], tokens, linear.bias is not null));
                    break;
                case GroupNorm norm:
                    Add(GroupNorm(norm.num_groups, norm.weight!.shape[0], norm.eps));
                    break;
                case LayerNorm norm:
                    Add(LayerNorm(norm.normalized_shape[^1], norm.eps, tokens));
                    break;
                case Attention attention:
                    long headDim = attention.InnerDim / attention.Heads;
                    Add(Attention(attention.Heads, headDim, queries: 64, keys: 64, explicitMatrix: false));
                    Add(Attention(attention.Heads, headDim, queries: 64, keys: 64, explicitMatrix: true));
                    Add(Attention(attention.Heads, headDim, queries: 64, keys: 77, explicitMatrix: true));
                    break;
            }
        }
        return [.. cases.Values];
    }

    /// <summary>
    /// The projections LoRA-family adapters add to <paramref name="model"/>'s layers at <paramref name="ranks"/>: for a
    /// convolution, down with its kernel, stride and padding, then up 1×1 (LoCon); for a linear layer, down then up.
    /// </summary>
    public static IReadOnlyList<KernelCase> OfAdapters(nn.Module model, IReadOnlyList<long> ranks, long tokens = 16)
    {
        var cases = new Dictionary<string, KernelCase>();
        foreach (var module in model.modules())
        {
            foreach (long rank in ranks)
            {
                KernelCase? kernelCase = module switch
                {
                    Convolution conv when !conv.transposed =>
                        LowRankConvolution(conv.in_channels, conv.out_channels, rank, conv.kernel_size[0], conv.stride[0], conv.padding?[0] ?? 0, size: 8),
                    Linear linear => LowRankLinear(linear.weight!.shape[1], linear.weight.shape[0], rank, tokens),
                    _ => null,
                };
                if (kernelCase is not null) cases.TryAdd(kernelCase.ToString(), kernelCase);
            }
        }
        return [.. cases.Values];
    }

    /// <summary>The operations with no shape class of their own: activations (the models' and the hypernetworks'), softmax, upsampling, products.</summary>
    public static IReadOnlyList<KernelCase> Elementwise()
    {
        long[] map = [Batch, 64, 8, 8];
        return
        [
            Unary("silu", map, x => nn.functional.silu(x)),
            Unary("gelu", map, x => nn.functional.gelu(x)),
            Unary("quick_gelu", map, x => x * (x * 1.702).sigmoid()),
            Unary("relu", map, x => nn.functional.relu(x)),
            Unary("leaky_relu", map, x => nn.functional.leaky_relu(x)),
            Unary("elu", map, x => nn.functional.elu(x, 1.0)),
            Unary("celu", map, x => nn.functional.celu(x, 1.0)),
            Unary("selu", map, x => nn.functional.selu(x)),
            Unary("hardswish", map, x => nn.functional.hardswish(x)),
            Unary("relu6", map, x => nn.functional.relu6(x)),
            Unary("mish", map, x => nn.functional.mish(x)),
            Unary("softplus", map, x => nn.functional.softplus(x)),
            Unary("tanh", map, x => x.tanh()),
            Unary("sigmoid", map, x => x.sigmoid()),
            Unary("softmax", [8, 64, 77], x => x.softmax(-1)),
            Unary("upsample nearest ×2", map, x => nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest)),
            Unary("pad right/bottom", map, x => nn.functional.pad(x, [0, 1, 0, 1])),
            new("bmm", "8×64×40 · 8×40×77", [[8, 64, 40], [8, 40, 77]], t => t[0].bmm(t[1])),
            new("kron (LoKr)", "4×4 ⊗ 16×40", [[4, 4], [16, 40]], t => kron(t[0], t[1])),
            new("hadamard of products (LoHa)", "rank 8, 64×576", [[64, 8], [8, 576], [64, 8], [8, 576]], t => t[0].matmul(t[1]) * t[2].matmul(t[3])),
            Attention(heads: 8, headDim: 24, queries: 77, keys: 77, explicitMatrix: false, causal: true),
        ];
    }

    /// <summary>
    /// The quick check of the running host, a fraction of a second: the convolutions that affected hosts get wrong (the
    /// UNet's and VAE's channel-poor input and output layers, a stride-2 one from 48 channels, a LoCon down projection)
    /// and one of each other kind of operation the models run.
    /// </summary>
    public static IReadOnlyList<KernelCase> HostSample() =>
    [
        Convolution(64, 4, 3, 1, 1, size: 16, bias: true),
        Convolution(32, 3, 3, 1, 1, size: 16, bias: true),
        Convolution(3, 32, 3, 1, 1, size: 16, bias: true),
        Convolution(3, 32, 3, 1, 1, size: 16, bias: true) with { DataNeedsGradient = false },
        Convolution(4, 64, 3, 1, 1, size: 16, bias: true),
        Convolution(4, 64, 3, 1, 1, size: 16, bias: true) with { DataNeedsGradient = false },
        Convolution(48, 64, 3, 2, 1, size: 16, bias: true),
        Convolution(64, 64, 3, 1, 1, size: 8, bias: true),
        Convolution(8, 8, 1, 1, 0, size: 8, bias: true),
        LowRankConvolution(64, 64, 4, 3, 1, 1, size: 8),
        Linear(192, 8, 16, bias: true),
        GroupNorm(32, 64, 1e-5),
        LayerNorm(192, 1e-5, 16),
        Attention(heads: 4, headDim: 48, queries: 64, keys: 77, explicitMatrix: false),
        Attention(heads: 4, headDim: 48, queries: 64, keys: 77, explicitMatrix: true),
        Unary("silu", [Batch, 64, 8, 8], x => nn.functional.silu(x)),
        Unary("gelu", [Batch, 64, 8, 8], x => nn.functional.gelu(x)),
        Unary("upsample nearest ×2", [Batch, 64, 8, 8], x => nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest)),
    ];

    /// <summary>
    /// Channel-poor convolutions (where affected hosts fail, depending on the image size) run at two sizes; wide ones
    /// (SD's inner levels, which run at 8×8 and below at 512 px) at 4×4, which keeps their fp64 reference to a second.
    /// </summary>
    static long[] ImageSizes(long inChannels, long outChannels) =>
        inChannels % SafeConvolution.InputChannelBlock != 0 || outChannels % SafeConvolution.InputChannelBlock != 0 ? [8, 16]
        : inChannels * outChannels >= 640 * 640 ? [4]
        : [8];

    public static KernelCase Convolution(long inChannels, long outChannels, long kernel, long stride, long padding, long size, bool bias)
    {
        long[] strides = [stride, stride], paddings = [padding, padding];
        long[][] shapes = bias
            ? [[Batch, inChannels, size, size], [outChannels, inChannels, kernel, kernel], [outChannels]]
            : [[Batch, inChannels, size, size], [outChannels, inChannels, kernel, kernel]];
        return new KernelCase($"conv2d {kernel}×{kernel}", $"{inChannels}→{outChannels}{(stride > 1 ? $" /{stride}" : "")} @{Batch}×{size}×{size}", shapes,
            t => SafeConvolution.Conv2d(t[0], t[1], bias ? t[2] : null, strides, paddings),
            t => nn.functional.conv2d(t[0], t[1], bias ? t[2] : null, strides, paddings));
    }

    static KernelCase LowRankConvolution(long inChannels, long outChannels, long rank, long kernel, long stride, long padding, long size)
    {
        long[] strides = [stride, stride], paddings = [padding, padding];
        return new KernelCase($"LoCon {kernel}×{kernel}", $"{inChannels}→{rank}→{outChannels}{(stride > 1 ? $" /{stride}" : "")} @{Batch}×{size}×{size}",
            [[Batch, inChannels, size, size], [rank, inChannels, kernel, kernel], [outChannels, rank, 1, 1]],
            t => SafeConvolution.Conv2d(SafeConvolution.Conv2d(t[0], t[1], null, strides, paddings), t[2]),
            t => nn.functional.conv2d(nn.functional.conv2d(t[0], t[1], null, strides, paddings), t[2]));
    }

    static KernelCase Linear(long inFeatures, long outFeatures, long tokens, bool bias) =>
        new("linear", $"{inFeatures}→{outFeatures} @{Batch}×{tokens}",
            bias ? [[Batch, tokens, inFeatures], [outFeatures, inFeatures], [outFeatures]] : [[Batch, tokens, inFeatures], [outFeatures, inFeatures]],
            t => nn.functional.linear(t[0], t[1], bias ? t[2] : null));

    static KernelCase LowRankLinear(long inFeatures, long outFeatures, long rank, long tokens) =>
        new("LoRA linear", $"{inFeatures}→{rank}→{outFeatures} @{Batch}×{tokens}",
            [[Batch, tokens, inFeatures], [rank, inFeatures], [outFeatures, rank]],
            t => nn.functional.linear(nn.functional.linear(t[0], t[1]), t[2]));

    static KernelCase GroupNorm(long groups, long channels, double eps) =>
        new("group_norm", $"{groups} groups of {channels} @{Batch}×8×8", [[Batch, channels, 8, 8], [channels], [channels]],
            t => nn.functional.group_norm(t[0], groups, t[1], t[2], eps));

    static KernelCase LayerNorm(long width, double eps, long tokens) =>
        new("layer_norm", $"{width} @{Batch}×{tokens}", [[Batch, tokens, width], [width], [width]],
            t => nn.functional.layer_norm(t[0], [width], t[1], t[2], eps));

    /// <summary>SDPA as inference runs it, or softmax(QKᵀ)V as plain matmuls, as training runs small attention matrices.</summary>
    static KernelCase Attention(long heads, long headDim, long queries, long keys, bool explicitMatrix, bool causal = false) =>
        new(explicitMatrix ? "attention (matmul + softmax)" : causal ? "sdpa (causal)" : "sdpa",
            $"{heads} heads × {headDim}, {queries} queries, {keys} keys @{Batch}",
            [[Batch, heads, queries, headDim], [Batch, heads, keys, headDim], [Batch, heads, keys, headDim]],
            explicitMatrix
                ? t => matmul(matmul(t[0] * (1.0 / Math.Sqrt(headDim)), t[1].transpose(-2, -1)).softmax(-1), t[2])
                : t => nn.functional.scaled_dot_product_attention(t[0], t[1], t[2], is_casual: causal));

    static KernelCase Unary(string operation, long[] shape, Func<Tensor, Tensor> function) =>
        new(operation, string.Join("×", shape), [shape], t => function(t[0]));
}
