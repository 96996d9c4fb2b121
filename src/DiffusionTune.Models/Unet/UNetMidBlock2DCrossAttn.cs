using DiffusionTune.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Unet;

/// <summary>The UNet's bottleneck: resnet, then (transformer, resnet) pairs.</summary>
public sealed class UNetMidBlock2DCrossAttn : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly ModuleList<Transformer2DModel> attentions;
    private readonly ModuleList<ResnetBlock2D> resnets;

    public UNetMidBlock2DCrossAttn(UNet2DConditionModelConfig config) : base(nameof(UNetMidBlock2DCrossAttn))
    {
        int deepest = config.Levels - 1;
        long channels = config.BlockOutChannels[deepest];
        const int layers = 1;
        attentions = nn.ModuleList(Enumerable.Range(0, layers).Select(_ => new Transformer2DModel(
            channels, config.HeadsPerLevel[deepest], config.CrossAttentionDimPerLevel[deepest], config.GroupCount,
            config.TransformerLayersPerLevel[deepest], config.UseLinearProjection, onlyCrossAttention: false)).ToArray());
        resnets = nn.ModuleList(Enumerable.Range(0, layers + 1).Select(_ => new ResnetBlock2D(
            channels, channels, config.TimeEmbedDim, config.GroupCount, config.NormEps, config.Dropout,
            config.ResnetTimeScaleShift == "scale_shift", config.MidBlockScaleFactor)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor timeEmbedding, Tensor context)
    {
        using var scope = NewDisposeScope();
        hidden = resnets[0].call(hidden, timeEmbedding);
        for (int i = 0; i < attentions.Count; i++)
        {
            hidden = attentions[i].call(hidden, context);
            hidden = resnets[i + 1].call(hidden, timeEmbedding);
        }
        return scope.MoveToOuter(hidden);
    }
}
