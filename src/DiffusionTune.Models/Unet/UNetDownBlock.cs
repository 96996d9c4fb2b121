using DiffusionTune.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Unet;

/// <summary>
/// One encoder level of the UNet: diffusers' <c>CrossAttnDownBlock2D</c> (with attentions) or <c>DownBlock2D</c>
/// (without). Both have the same resnet/downsampler layout, so one class serves both with the same state-dict names.
/// </summary>
public sealed class UNetDownBlock : nn.Module<Tensor, Tensor, Tensor, (Tensor Hidden, Tensor[] Skips)>
{
    private readonly ModuleList<Transformer2DModel>? attentions;
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Downsample2D>? downsamplers;

    public UNetDownBlock(UNet2DConditionModelConfig config, int level, long inChannels, bool hasAttention, bool addDownsample)
        : base(nameof(UNetDownBlock))
    {
        long outChannels = config.BlockOutChannels[level];
        int layers = config.LayersPerLevel[level];
        resnets = nn.ModuleList(Enumerable.Range(0, layers).Select(j => new ResnetBlock2D(
            j == 0 ? inChannels : outChannels, outChannels, config.TimeEmbedDim, config.GroupCount, config.NormEps,
            config.Dropout, config.ResnetTimeScaleShift == "scale_shift", config.ResnetOutScaleFactor)).ToArray());
        if (hasAttention)
        {
            attentions = nn.ModuleList(Enumerable.Range(0, layers).Select(_ => new Transformer2DModel(
                outChannels, config.HeadsPerLevel[level], config.CrossAttentionDimPerLevel[level], config.GroupCount,
                config.TransformerLayersPerLevel[level], config.UseLinearProjection, config.OnlyCrossAttentionPerLevel[level])).ToArray());
        }
        if (addDownsample)
            downsamplers = nn.ModuleList(new Downsample2D(outChannels, outChannels, config.DownsamplePadding));
        RegisterComponents();
    }

    public override (Tensor Hidden, Tensor[] Skips) forward(Tensor hidden, Tensor timeEmbedding, Tensor context)
    {
        using var scope = NewDisposeScope();
        var skips = new List<Tensor>();
        for (int i = 0; i < resnets.Count; i++)
        {
            hidden = resnets[i].call(hidden, timeEmbedding);
            if (attentions is not null) hidden = attentions[i].call(hidden, context);
            skips.Add(hidden);
        }
        if (downsamplers is not null)
        {
            hidden = downsamplers[0].call(hidden);
            skips.Add(hidden);
        }
        // The last skip is the block's output itself, so moving the skips moves the output too.
        scope.MoveToOuter(skips);
        return (hidden, skips.ToArray());
    }
}
