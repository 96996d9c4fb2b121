using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Merging;

namespace DiffusionTune.Tests.Merging;

public class BlockWeightsTests
{
    [Fact]
    public void A_bare_number_is_every_tensors_alpha()
    {
        var weights = BlockWeights.Parse("0.6");
        Assert.Equal(0.6, weights.AlphaOf(ModelComponent.UNet, "down_blocks.0.resnets.0.conv1.weight"));
        Assert.Equal(0.6, weights.AlphaOf(ModelComponent.UNet, "up_blocks.1.attentions.0.proj_out.bias"));
        Assert.Equal(0.6, weights.AlphaOf(ModelComponent.TextEncoder, "text_model.encoder.layers.0.mlp.fc1.weight"));
        Assert.Equal(0.6, weights.AlphaOf(ModelComponent.Vae, "decoder.conv_out.weight"));
    }

    [Theory]
    [InlineData("conv_in.weight", 0.5)]
    [InlineData("time_embedding.linear_1.weight", 0.5)]
    [InlineData("down_blocks.0.resnets.0.conv1.weight", 0.5 * 0.2)]
    [InlineData("down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.weight", 0.5 * 2)]
    [InlineData("down_blocks.0.downsamplers.0.conv.weight", 0.5)]
    [InlineData("mid_block.attentions.0.proj_in.weight", 0.8 * 2)]
    [InlineData("mid_block.resnets.1.norm1.bias", 0.8 * 0.2)]
    [InlineData("up_blocks.0.attentions.0.transformer_blocks.0.ff.net.2.weight", 0.3 * 2)]
    [InlineData("up_blocks.1.upsamplers.0.conv.weight", 0.3)]
    [InlineData("conv_norm_out.weight", 0.3)]
    [InlineData("conv_out.bias", 0.3)]
    public void A_unet_tensor_takes_its_blocks_alpha_times_its_kinds_factor(string name, double expected)
    {
        var weights = BlockWeights.Parse("0.9, in=0.5, mid=0.8, out=0.3, attn=2, resnet=0.2, te=0");
        Assert.Equal(expected, weights.AlphaOf(ModelComponent.UNet, name), 12);
        Assert.Equal(0, weights.AlphaOf(ModelComponent.TextEncoder, "text_model.final_layer_norm.weight"));
        Assert.Equal(0.9, weights.AlphaOf(ModelComponent.Vae, "encoder.conv_in.weight"));
    }

    [Fact]
    public void Unset_blocks_take_the_bare_number_or_one()
    {
        var withGlobal = BlockWeights.Parse("0.25,mid=1");
        Assert.Equal(0.25, withGlobal.AlphaOf(ModelComponent.UNet, "down_blocks.0.resnets.0.conv1.weight"));
        Assert.Equal(1, withGlobal.AlphaOf(ModelComponent.UNet, "mid_block.resnets.0.conv1.weight"));
        var withoutGlobal = BlockWeights.Parse("mid=0");
        Assert.Equal(1, withoutGlobal.AlphaOf(ModelComponent.UNet, "up_blocks.0.resnets.0.conv1.weight"));
        Assert.Equal(0, withoutGlobal.AlphaOf(ModelComponent.UNet, "mid_block.attentions.0.proj_in.weight"));
    }

    [Theory]
    [InlineData("0.6")]
    [InlineData("1,in=0.5,mid=0.8,out=1,attn=0.75,resnet=0.5,te=0,vae=0")]
    [InlineData("-0.5,out=1.5")]
    public void The_spec_reads_back_into_the_same_weights(string spec)
    {
        var weights = BlockWeights.Parse(spec);
        Assert.Equal(weights, BlockWeights.Parse(weights.ToString()));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("in=strong", "'in=strong'")]
    [InlineData("0.5,0.6", "global α twice")]
    [InlineData("in=1,in=0", "sets 'in' twice")]
    [InlineData("down=1", "'down' in 'down=1' is not a block")]
    [InlineData("NaN", "finite")]
    public void Malformed_specs_are_refused_saying_why(string spec, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => BlockWeights.Parse(spec));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_name_in_no_unet_block_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => UNetRegions.BlockOf("add_time_proj.weight"));
        Assert.Contains("unet/add_time_proj.weight", error.Message);
        Assert.Equal(UNetModuleKind.Resnet, UNetRegions.KindOf("up_blocks.2.resnets.1.conv_shortcut.weight"));
        Assert.Equal(UNetModuleKind.Other, UNetRegions.KindOf("up_blocks.2.upsamplers.0.conv.weight"));
    }
}
