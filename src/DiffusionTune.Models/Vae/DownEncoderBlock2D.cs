using DiffusionTune.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Vae;

/// <summary>One VAE encoder level: resnets, then a stride-2 downsample except at the last level.</summary>
public sealed class DownEncoderBlock2D : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Downsample2D>? downsamplers;

    public DownEncoderBlock2D(long inChannels, long outChannels, int layers, int groups, bool addDownsample) : base(nameof(DownEncoderBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, layers)
            .Select(j => new ResnetBlock2D(j == 0 ? inChannels : outChannels, outChannels, null, groups, 1e-6)).ToArray());
        if (addDownsample)
            downsamplers = nn.ModuleList(new Downsample2D(outChannels, outChannels, padding: 0));
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        foreach (var resnet in resnets) hidden = resnet.call(hidden, null);
        if (downsamplers is not null) hidden = downsamplers[0].call(hidden);
        return scope.MoveToOuter(hidden);
    }
}
