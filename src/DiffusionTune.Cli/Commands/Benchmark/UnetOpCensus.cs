using DiffusionTune.Contracts;
using DiffusionTune.Models.Blocks;
using DiffusionTune.Models.Unet;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary>
/// Lists the operations one UNet forward pass runs, each at its real shape with how often it runs, by hooking the
/// model's layers during a pass: convolutions, linear layers, GroupNorm, LayerNorm, attention (as SDPA), the GEGLU
/// gate, SiLU and the dtype cast of the output for the loss. What it does not list (adds, concatenations, reshapes,
/// upsampling, framework overhead) shows up as the remainder when the isolated timings are compared with the model's.
/// </summary>
public sealed class UnetOpCensus : IDisposable
{
    readonly List<Action> _removeHooks = [];
    readonly Dictionary<string, (IsolatedOp Op, int Calls)> _ops = new(StringComparer.Ordinal);

    public UnetOpCensus(UNet2DConditionModel model)
    {
        foreach (var module in model.modules())
        {
            switch (module)
            {
                case SafeConv2d conv:
                    _removeHooks.Add(conv.register_forward_hook((m, input, output) => Keep(Convolution((SafeConv2d)m, input), output)).remove);
                    break;
                case Linear linear:
                    _removeHooks.Add(linear.register_forward_hook((m, input, output) => Keep(LinearOp((Linear)m, input), output)).remove);
                    break;
                case GroupNorm norm:
                    _removeHooks.Add(norm.register_forward_hook((m, input, output) => Keep(GroupNormOp((GroupNorm)m, input), output)).remove);
                    break;
                case LayerNorm norm:
                    _removeHooks.Add(norm.register_forward_hook((m, input, output) => Keep(LayerNormOp((LayerNorm)m, input), output)).remove);
                    break;
                case Attention attention:
                    _removeHooks.Add(attention.register_forward_hook((m, hidden, context, output) => Keep(Sdpa((Attention)m, hidden, context), output)).remove);
                    break;
                case GEGLU geglu:
                    _removeHooks.Add(geglu.register_forward_hook((_, _, output) => Keep(GeluGate(output), output)).remove);
                    break;
                case ResnetBlock2D resnet:
                    _removeHooks.Add(resnet.register_forward_hook((_, input, timeEmbedding, output) =>
                    {
                        // SiLU after norm1 (input's shape), after norm2 (output's shape) and on the time embedding.
                        Record(Elementwise("silu", input.shape, x => nn.functional.silu(x)));
                        Record(Elementwise("silu", output.shape, x => nn.functional.silu(x)));
                        if (timeEmbedding is not null) Record(Elementwise("silu", timeEmbedding.shape, x => nn.functional.silu(x)));
                        return output;
                    }).remove);
                    break;
            }
        }
        _removeHooks.Add(model.register_forward_hook((m, _, _, _, output) =>
        {
            var unet = (UNet2DConditionModel)m;
            long[] beforeConvOut = [output.shape[0], unet.Config.BlockOutChannels[0], output.shape[2], output.shape[3]];
            Record(Elementwise("silu", beforeConvOut, x => nn.functional.silu(x)));
            // The training loss reads the prediction in fp32.
            Record(Elementwise("dtype cast", output.shape, x => x.to(ScalarType.Float32)));
            return output;
        }).remove);
    }

    /// <summary>Each distinct operation and shape, with how many times the recorded passes ran it.</summary>
    public IReadOnlyList<(IsolatedOp Op, int Calls)> Ops => _ops.Values.ToList();

    Tensor Keep(IsolatedOp op, Tensor output)
    {
        Record(op);
        return output;
    }

    void Record(IsolatedOp op)
    {
        var key = op.Class + " " + op.Shape;
        _ops[key] = _ops.TryGetValue(key, out var seen) ? (seen.Op, seen.Calls + 1) : (op, 1);
    }

    static string Dims(long[] shape) => string.Join("×", shape);

    static Tensor Leaf(long[] shape, ScalarType dtype, Device device) => randn(shape, dtype, device).requires_grad_();

    static IsolatedOp Convolution(SafeConv2d conv, Tensor input)
    {
        long[] inputShape = input.shape, weightShape = conv.weight!.shape, stride = conv.stride, padding = conv.padding!;
        bool bias = conv.bias is not null;
        long outHeight = (inputShape[2] + 2 * padding[0] - weightShape[2]) / stride[0] + 1;
        long outWidth = (inputShape[3] + 2 * padding[1] - weightShape[3]) / stride[1] + 1;
        double flop = 2.0 * inputShape[0] * weightShape[0] * outHeight * outWidth * weightShape[1] * weightShape[2] * weightShape[3];
        return new IsolatedOp($"conv2d {weightShape[2]}×{weightShape[3]}",
            $"{weightShape[1]}→{weightShape[0]} @{inputShape[2]}×{inputShape[3]}" + (stride[0] > 1 ? $" /{stride[0]}" : ""), flop,
            (dtype, device) => bias
                ? [Leaf(inputShape, dtype, device), Leaf(weightShape, dtype, device), Leaf([weightShape[0]], dtype, device)]
                : [Leaf(inputShape, dtype, device), Leaf(weightShape, dtype, device)],
            t => SafeConvolution.Conv2d(t[0], t[1], t.Length > 2 ? t[2] : null, stride, padding));
    }

    static IsolatedOp LinearOp(Linear linear, Tensor input)
    {
        long[] inputShape = input.shape, weightShape = linear.weight!.shape;
        bool bias = linear.bias is not null;
        double flop = 2.0 * (input.numel() / weightShape[1]) * weightShape[0] * weightShape[1];
        return new IsolatedOp("linear", $"{Dims(inputShape)} → {weightShape[0]}", flop,
            (dtype, device) => bias
                ? [Leaf(inputShape, dtype, device), Leaf(weightShape, dtype, device), Leaf([weightShape[0]], dtype, device)]
                : [Leaf(inputShape, dtype, device), Leaf(weightShape, dtype, device)],
            t => nn.functional.linear(t[0], t[1], t.Length > 2 ? t[2] : null));
    }

    static IsolatedOp GroupNormOp(GroupNorm norm, Tensor input)
    {
        long[] shape = input.shape;
        long groups = norm.num_groups;
        double eps = norm.eps;
        return new IsolatedOp("group_norm", Dims(shape), 0,
            (dtype, device) => [Leaf(shape, dtype, device), Leaf([shape[1]], dtype, device), Leaf([shape[1]], dtype, device)],
            t => nn.functional.group_norm(t[0], groups, t[1], t[2], eps));
    }

    static IsolatedOp LayerNormOp(LayerNorm norm, Tensor input)
    {
        long[] shape = input.shape, normalized = norm.normalized_shape;
        double eps = norm.eps;
        return new IsolatedOp("layer_norm", Dims(shape), 0,
            (dtype, device) => [Leaf(shape, dtype, device), Leaf(normalized, dtype, device), Leaf(normalized, dtype, device)],
            t => nn.functional.layer_norm(t[0], normalized, t[1], t[2], eps));
    }

    static IsolatedOp Sdpa(Attention attention, Tensor hidden, Tensor? context)
    {
        // The UNet's attentions work on [B, N, C] tokens; heads split C.
        long batch = hidden.shape[0], queries = hidden.shape[1], inner = attention.InnerDim, heads = attention.Heads;
        long keys = context?.shape[1] ?? queries;
        long[] queryShape = [batch, heads, queries, inner / heads], keyShape = [batch, heads, keys, inner / heads];
        return new IsolatedOp(context is null ? "sdpa (self)" : "sdpa (cross)", $"{Dims(queryShape)} · {keys} keys", 4.0 * batch * queries * keys * inner,
            (dtype, device) => [Leaf(queryShape, dtype, device), Leaf(keyShape, dtype, device), Leaf(keyShape, dtype, device)],
            t => nn.functional.scaled_dot_product_attention(t[0], t[1], t[2]));
    }

    static IsolatedOp GeluGate(Tensor output)
    {
        long[] projected = [.. output.shape[..^1], output.shape[^1] * 2];
        return new IsolatedOp("geglu gate", Dims(projected), 0,
            (dtype, device) => [Leaf(projected, dtype, device)],
            t =>
            {
                var halves = t[0].chunk(2, dim: -1);
                return halves[0] * nn.functional.gelu(halves[1]);
            });
    }

    static IsolatedOp Elementwise(string name, long[] shape, Func<Tensor, Tensor> op) =>
        new(name, Dims(shape), 0, (dtype, device) => [Leaf(shape, dtype, device)], t => op(t[0]));

    public void Dispose()
    {
        foreach (var remove in _removeHooks) remove();
    }
}
