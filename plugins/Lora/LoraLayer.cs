using DiffusionTune.Contracts;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Trainers.Lora;

/// <summary>
/// A low-rank update of one frozen Linear or Conv2d layer, added to its output by a forward hook:
/// y = W·x + up(down(dropout(x))) · alpha / rank. <c>down</c> starts Kaiming-uniform and <c>up</c> at zero, so training
/// starts from the unchanged model. For convolutions, down has the layer's kernel, stride and padding and up is 1×1
/// (kohya's LoCon layout).
/// </summary>
sealed class LoraLayer : IDisposable
{
    readonly Action _removeHook;
    readonly double _dropout;
    readonly long[]? _stride, _padding;

    public LoraLayer(string moduleName, nn.Module target, int rank, double alpha, double dropout, ScalarType dtype, Device device)
    {
        ModuleName = moduleName;
        Rank = rank;
        Alpha = alpha;
        _dropout = dropout;
        switch (target)
        {
            case Linear linear:
            {
                var weight = linear.weight!;
                Down = NewParameter([rank, weight.shape[1]], dtype, device);
                Up = new Parameter(zeros([weight.shape[0], rank], dtype, device));
                var hook = linear.register_forward_hook((module, input, output) => Enabled ? output + Delta(input, module.training) : output);
                _removeHook = hook.remove;
                break;
            }
            case Convolution conv:
            {
                var weight = conv.weight!;
                Down = NewParameter([rank, weight.shape[1], weight.shape[2], weight.shape[3]], dtype, device);
                Up = new Parameter(zeros([weight.shape[0], rank, 1, 1], dtype, device));
                (_stride, _padding) = (conv.stride, conv.padding);
                var hook = conv.register_forward_hook((module, input, output) => Enabled ? output + Delta(input, module.training) : output);
                _removeHook = hook.remove;
                break;
            }
            default:
                throw new ArgumentException($"{moduleName} is a {target.GetType().Name}; LoRA adapts Linear and Conv2d layers");
        }
    }

    /// <summary>The adapted module's diffusers/transformers name.</summary>
    public string ModuleName { get; }

    public int Rank { get; }

    public double Alpha { get; }

    /// <summary>[rank, in(, kh, kw)].</summary>
    public Parameter Down { get; }

    /// <summary>[out, rank(, 1, 1)].</summary>
    public Parameter Up { get; }

    /// <summary>Turned off, the layer computes exactly the base model (used for the base model's own predictions).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The update for <paramref name="input"/>; dropout only while the adapted layer is in training mode.</summary>
    Tensor Delta(Tensor input, bool training)
    {
        var x = training && _dropout > 0 ? nn.functional.dropout(input, _dropout, training: true) : input;
        var scale = Alpha / Rank;
        return _stride is null
            ? nn.functional.linear(nn.functional.linear(x, Down), Up) * scale
            : SafeConvolution.Conv2d(SafeConvolution.Conv2d(x, Down, stride: _stride, padding: _padding), Up) * scale;
    }

    static Parameter NewParameter(long[] shape, ScalarType dtype, Device device)
    {
        // Kaiming-uniform with a = √5, PyTorch's Linear default (what kohya uses for lora_down).
        var weight = empty(shape, ScalarType.Float32);
        nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
        return new Parameter(weight.to(dtype, device));
    }

    public void Dispose()
    {
        _removeHook();
        Down.Dispose();
        Up.Dispose();
    }
}
