using DiffusionTune.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Unet;

/// <summary>diffusers' <c>TimestepEmbedding</c>: linear → SiLU → linear, with the optional LCM condition projection.</summary>
public sealed class TimestepEmbedding : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly Linear linear_1;
    private readonly Linear linear_2;
    private readonly Linear? cond_proj;

    public TimestepEmbedding(long inChannels, long embedDim, long? conditionProjectionDim) : base(nameof(TimestepEmbedding))
    {
        linear_1 = Layers.Linear(inChannels, embedDim);
        if (conditionProjectionDim is long cond)
            cond_proj = Layers.Linear(cond, inChannels, bias: false);
        linear_2 = Layers.Linear(embedDim, embedDim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor sample, Tensor? condition)
    {
        using var scope = NewDisposeScope();
        if (condition is not null && cond_proj is not null) sample = sample + cond_proj.call(condition);
        return scope.MoveToOuter(linear_2.call(nn.functional.silu(linear_1.call(sample))));
    }
}
