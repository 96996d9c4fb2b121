using DiffusionTune.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Unet;

/// <summary>
/// One decoder level of the UNet: diffusers' <c>CrossAttnUpBlock2D</c> or <c>UpBlock2D</c>. Each resnet takes the
/// running features concatenated with one skip connection from the encoder (<c>cat([hidden, skip], dim=1)</c>).
/// </summary>
public sealed class UNetUpBlock : nn.Module<Tensor, Tensor[], Tensor, Tensor, long[]?, Tensor>
{
    private readonly ModuleList<Transformer2DModel>? attentions;
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Upsample2D>? upsamplers;

    /// <param name="reversedLevel">Index into the reversed per-level settings (0 = the deepest level).</param>
    public UNetUpBlock(UNet2DConditionModelConfig config, int reversedLevel, long previousOutChannels, long skipInChannels,
        bool hasAttention, bool addUpsample)
        : base(nameof(UNetUpBlock))
    {
        int level = config.Levels - 1 - reversedLevel;
        long outChannels = config.BlockOutChannels[level];
        int layers = config.LayersPerLevel[level] + 1;
        resnets = nn.ModuleList(Enumerable.Range(0, layers).Select(j =>
        {
            long skipChannels = j == layers - 1 ? skipInChannels : outChannels;
            long runningChannels = j == 0 ? previousOutChannels : outChannels;
            return new ResnetBlock2D(runningChannels + skipChannels, outChannels, config.TimeEmbedDim, config.GroupCount,
                config.NormEps, config.Dropout, config.ResnetTimeScaleShift == "scale_shift", config.ResnetOutScaleFactor);
        }).ToArray());
        if (hasAttention)
        {
            attentions = nn.ModuleList(Enumerable.Range(0, layers).Select(_ => new Transformer2DModel(
                outChannels, config.HeadsPerLevel[level], config.CrossAttentionDimPerLevel[level], config.GroupCount,
                config.TransformerLayersPerLevel[level], config.UseLinearProjection, config.OnlyCrossAttentionPerLevel[level])).ToArray());
        }
        if (addUpsample)
            upsamplers = nn.ModuleList(new Upsample2D(outChannels, outChannels));
        RegisterComponents();
    }

    /// <summary>How many skip connections this block consumes.</summary>
    public int SkipCount => resnets.Count;

    /// <param name="skips">This block's skip connections, in the order the encoder produced them (the last is used first).</param>
    /// <param name="upsampleSize">Spatial size to upsample to (the next skip's size), or null when this block does not upsample.</param>
    public override Tensor forward(Tensor hidden, Tensor[] skips, Tensor timeEmbedding, Tensor context, long[]? upsampleSize)
    {
        using var scope = NewDisposeScope();
        for (int i = 0; i < resnets.Count; i++)
        {
            var skip = skips[skips.Length - 1 - i];
            hidden = resnets[i].call(cat([hidden, skip], 1), timeEmbedding);
            if (attentions is not null) hidden = attentions[i].call(hidden, context);
        }
        if (upsamplers is not null) hidden = upsamplers[0].call(hidden, upsampleSize);
        return scope.MoveToOuter(hidden);
    }
}
