using DiffusionTune.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Vae;

/// <summary>One VAE decoder level: resnets, then a ×2 nearest upsample + conv except at the last level.</summary>
public sealed class UpDecoderBlock2D : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Upsample2D>? upsamplers;

    public UpDecoderBlock2D(long inChannels, long outChannels, int layers, int groups, bool addUpsample) : base(nameof(UpDecoderBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, layers)
            .Select(j => new ResnetBlock2D(j == 0 ? inChannels : outChannels, outChannels, null, groups, 1e-6)).ToArray());
        if (addUpsample)
            upsamplers = nn.ModuleList(new Upsample2D(outChannels, outChannels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        foreach (var resnet in resnets) hidden = resnet.call(hidden, null);
        if (upsamplers is not null) hidden = upsamplers[0].call(hidden, null);
        return scope.MoveToOuter(hidden);
    }
}
