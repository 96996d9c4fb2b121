using DiffusionTune.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Vae;

/// <summary>The VAE's bottleneck: resnet, single-head spatial self-attention, resnet (no time embedding).</summary>
public sealed class UNetMidBlock2D : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Attention>? attentions;
    private readonly ModuleList<ResnetBlock2D> resnets;

    public UNetMidBlock2D(long channels, int groups, bool addAttention) : base(nameof(UNetMidBlock2D))
    {
        if (addAttention)
            attentions = nn.ModuleList(new Attention(channels, null, heads: 1, headDim: channels, bias: true, groupNormGroups: groups, groupNormEps: 1e-6));
        resnets = nn.ModuleList(
            new ResnetBlock2D(channels, channels, null, groups, 1e-6),
            new ResnetBlock2D(channels, channels, null, groups, 1e-6));
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        hidden = resnets[0].call(hidden, null);
        if (attentions is not null) hidden = attentions[0].call(hidden, null);
        hidden = resnets[1].call(hidden, null);
        return scope.MoveToOuter(hidden);
    }
}
