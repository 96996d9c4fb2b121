using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Blocks;

/// <summary>Gated GELU: one projection yields a value half and a gate half; output = value · GELU(gate).</summary>
public sealed class GEGLU : nn.Module<Tensor, Tensor>
{
    private readonly Linear proj;

    public GEGLU(long inDim, long outDim) : base(nameof(GEGLU))
    {
        proj = Layers.Linear(inDim, outDim * 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var halves = proj.call(input).chunk(2, dim: -1);
        return scope.MoveToOuter(halves[0] * nn.functional.gelu(halves[1]));
    }
}
