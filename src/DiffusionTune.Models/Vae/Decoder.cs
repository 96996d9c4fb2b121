using DiffusionTune.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Vae;

/// <summary>The VAE decoder: latent → image in roughly [-1, 1] (after post_quant_conv).</summary>
public sealed class Decoder : nn.Module<Tensor, Tensor>
{
    private readonly SafeConv2d conv_in;
    private readonly ModuleList<UpDecoderBlock2D> up_blocks;
    private readonly UNetMidBlock2D mid_block;
    private readonly GroupNorm conv_norm_out;
    private readonly SafeConv2d conv_out;

    public Decoder(AutoencoderKLConfig config) : base(nameof(Decoder))
    {
        var reversed = config.BlockOutChannels.Reverse().ToArray();
        conv_in = Layers.Conv2d(config.LatentChannels, reversed[0], 3, padding: 1);
        up_blocks = nn.ModuleList(Enumerable.Range(0, config.Levels).Select(i => new UpDecoderBlock2D(
            i == 0 ? reversed[0] : reversed[i - 1], reversed[i], config.LayersPerBlock + 1, config.NormNumGroups,
            addUpsample: i < config.Levels - 1)).ToArray());
        mid_block = new UNetMidBlock2D(reversed[0], config.NormNumGroups, config.MidBlockAddAttention);
        conv_norm_out = Layers.GroupNorm(config.NormNumGroups, reversed[^1], 1e-6);
        conv_out = Layers.Conv2d(reversed[^1], config.OutChannels, 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor latent)
    {
        using var scope = NewDisposeScope();
        var hidden = mid_block.call(conv_in.call(latent));
        foreach (var block in up_blocks) hidden = block.call(hidden);
        hidden = conv_out.call(nn.functional.silu(conv_norm_out.call(hidden)));
        return scope.MoveToOuter(hidden);
    }
}
