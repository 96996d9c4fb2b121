using DiffusionTune.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Vae;

/// <summary>The VAE encoder: image → 2·latent channels (mean and log-variance), before quant_conv.</summary>
public sealed class Encoder : nn.Module<Tensor, Tensor>
{
    private readonly SafeConv2d conv_in;
    private readonly ModuleList<DownEncoderBlock2D> down_blocks;
    private readonly UNetMidBlock2D mid_block;
    private readonly GroupNorm conv_norm_out;
    private readonly SafeConv2d conv_out;

    public Encoder(AutoencoderKLConfig config) : base(nameof(Encoder))
    {
        var channels = config.BlockOutChannels;
        conv_in = Layers.Conv2d(config.InChannels, channels[0], 3, padding: 1);
        down_blocks = nn.ModuleList(Enumerable.Range(0, config.Levels).Select(i => new DownEncoderBlock2D(
            i == 0 ? channels[0] : channels[i - 1], channels[i], config.LayersPerBlock, config.NormNumGroups,
            addDownsample: i < config.Levels - 1)).ToArray());
        mid_block = new UNetMidBlock2D(channels[^1], config.NormNumGroups, config.MidBlockAddAttention);
        conv_norm_out = Layers.GroupNorm(config.NormNumGroups, channels[^1], 1e-6);
        conv_out = Layers.Conv2d(channels[^1], 2 * config.LatentChannels, 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor image)
    {
        using var scope = NewDisposeScope();
        var hidden = conv_in.call(image);
        foreach (var block in down_blocks) hidden = block.call(hidden);
        hidden = mid_block.call(hidden);
        hidden = conv_out.call(nn.functional.silu(conv_norm_out.call(hidden)));
        return scope.MoveToOuter(hidden);
    }
}
