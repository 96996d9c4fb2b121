using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Examples.Dora;

/// <summary>
/// DoRA (Liu et al. 2024) on one frozen Linear layer: the weight is split into a magnitude per output row and a
/// direction; the direction gets a LoRA update, the magnitude is trained directly:
/// W' = m · (W₀ + up·down·α/r) / ‖W₀ + up·down·α/r‖ (row norms). As in the paper, the norm is treated as a constant
/// in the backward pass, which saves memory and changes little. A forward hook replaces the layer's output.
/// </summary>
sealed class DoraLayer : IDisposable
{
    readonly Linear _layer;
    readonly Action _removeHook;
    readonly double _scale;

    public DoraLayer(string moduleName, Linear layer, int rank, double alpha, ScalarType dtype)
    {
        ModuleName = moduleName;
        _layer = layer;
        Rank = rank;
        Alpha = alpha;
        _scale = alpha / rank;
        var weight = layer.weight!;
        using (no_grad())
        {
            var down = empty([rank, weight.shape[1]], ScalarType.Float32);
            nn.init.kaiming_uniform_(down, a: Math.Sqrt(5));
            Down = new Parameter(down.to(dtype, weight.device));
            Up = new Parameter(zeros([weight.shape[0], rank], dtype, weight.device));
            // Starts at the base weight's own row norms, so training starts from the unchanged layer.
            Magnitude = new Parameter(weight.to(ScalarType.Float32).norm(1, keepdim: true).to(dtype));
        }
        var hook = layer.register_forward_hook((_, input, _) => Forward(input));
        _removeHook = hook.remove;
    }

    public string ModuleName { get; }

    public int Rank { get; }

    public double Alpha { get; }

    /// <summary>[rank, in].</summary>
    public Parameter Down { get; }

    /// <summary>[out, rank].</summary>
    public Parameter Up { get; }

    /// <summary>[out, 1]: the magnitude of each output row (LyCORIS' dora_scale with wd_on_output).</summary>
    public Parameter Magnitude { get; }

    Tensor Forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var adapted = _layer.weight! + Up.matmul(Down) * _scale;
        var norm = adapted.norm(1, keepdim: true).detach();
        var weight = Magnitude * adapted / norm;
        return scope.MoveToOuter(nn.functional.linear(input, weight, _layer.bias));
    }

    public void Dispose()
    {
        _removeHook();
        Down.Dispose();
        Up.Dispose();
        Magnitude.Dispose();
    }
}
