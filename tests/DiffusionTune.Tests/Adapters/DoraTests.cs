using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Models.Adapters;
using static DiffusionTune.Tests.Adapters.AdapterTestData;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Adapters;

public class DoraTests
{
    const string CrossKeyName = "lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn2_to_k";
    const string ConvName = "lora_unet_down_blocks_0_resnets_0_conv1";

    [Theory]
    [InlineData(new long[] { 64, 1 }, DoraAxis.Output)]
    [InlineData(new long[] { 1, 32 }, DoraAxis.Input)]
    public void The_axis_of_a_linear_layer_comes_from_the_shape_of_dora_scale(long[] scaleShape, DoraAxis axis)
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var (down, up, magnitude) = (Noise(4, 32), Noise(64, 4), rand(scaleShape) + 0.5);
        var path = Write("dora.safetensors", new Dictionary<string, Tensor>
        {
            [CrossKeyName + ".lora_down.weight"] = down,
            [CrossKeyName + ".lora_up.weight"] = up,
            [CrossKeyName + ".alpha"] = tensor(2f),
            [CrossKeyName + ".dora_scale"] = magnitude,
        });

        using var network = LoraNetwork.Read(path, layers.Targets);
        var layer = network.Layers.Single();
        Assert.Equal(axis, layer.Dora!.Axis);
        var weight = Weight(model, CrossAttentionKey);
        var adapted = weight + up.mm(down) * (2.0 / 4);
        using var merged = layer.MergedWeight(weight, 0.6);
        TensorAssert.Close(Interpolate(weight, Renormalised(adapted, magnitude, axis), 0.6), merged, 1e-5, 1e-6, "DoRA merge");
    }

    [Theory]
    [InlineData(new long[] { 32, 1, 1, 1 }, DoraAxis.Output)]
    [InlineData(new long[] { 1, 32, 1, 1 }, DoraAxis.Input)]
    public void The_axis_of_a_convolution_comes_from_the_shape_of_dora_scale(long[] scaleShape, DoraAxis axis)
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var (down, up, magnitude) = (Noise(2, 32, 3, 3), Noise(32, 2, 1, 1), rand(scaleShape) + 0.5);
        var path = Write("dora-conv.safetensors", new Dictionary<string, Tensor>
        {
            [ConvName + ".lora_down.weight"] = down,
            [ConvName + ".lora_up.weight"] = up,
            [ConvName + ".dora_scale"] = magnitude,
        });

        using var network = LoraNetwork.Read(path, layers.Targets);
        var layer = network.Layers.Single();
        Assert.Equal(axis, layer.Dora!.Axis);
        var weight = Weight(model, ResnetConv);
        var adapted = weight + einsum("or,rikl->oikl", up.flatten(1), down);
        using var merged = layer.MergedWeight(weight, 1.0);
        TensorAssert.Close(Renormalised(adapted, magnitude, axis), merged, 1e-5, 1e-6, "DoRA conv merge");
    }

    [Fact]
    public void A_dora_scale_along_neither_axis_is_a_shape_error_naming_the_key()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var path = Write("bad-dora.safetensors", new Dictionary<string, Tensor>
        {
            [CrossKeyName + ".lora_down.weight"] = Noise(4, 32),
            [CrossKeyName + ".lora_up.weight"] = Noise(64, 4),
            [CrossKeyName + ".dora_scale"] = Noise(2, 32),
        });
        var error = Assert.Throws<ModelFileException>(() => LoraNetwork.Read(path, layers.Targets));
        Assert.Contains("bad-dora.safetensors", error.Message);
        Assert.Contains($"'{CrossKeyName}.dora_scale' has shape [2, 32]", error.Message);
        Assert.Contains("weight shape [64, 32]", error.Message);
    }

    [Fact]
    public void Magnitudes_taken_from_the_weight_with_no_update_give_the_weight_back()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var target = UNetLayer(layers, CrossAttentionKey);
        var weight = Weight(model, CrossAttentionKey);
        foreach (var axis in new[] { DoraAxis.Output, DoraAxis.Input })
        {
            using var layer = new LowRankLayer(target, Noise(4, 32), zeros(64, 4), 4, DoraMagnitude.FromWeight(weight, axis, target));
            using var merged = layer.MergedWeight(weight, 1.0);
            TensorAssert.Close(weight, merged, 1e-6, 1e-7, $"DoRA at rest, {axis} axis");
        }
    }

    [Fact]
    public void The_kohya_writer_stores_dora_scale_and_reads_back_the_same_merge()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var target = UNetLayer(layers, ResnetConv);
        var weight = Weight(model, ResnetConv);
        using var original = new LowRankLayer(target, Noise(2, 32, 3, 3), Noise(32, 2, 1, 1), 1,
            DoraMagnitude.FromWeight(weight * 1.1, DoraAxis.Input, target));
        var path = Path.Combine(TestPaths.TempFolder(), "dora.safetensors");
        KohyaLoraWriter.Save(path, [original], new KohyaLoraMetadata(), ScalarType.Float32);

        using (var file = SafetensorsFile.Open(path))
        {
            Assert.Equal(new long[] { 1, 32, 1, 1 }, file.Entry(ConvName + ".dora_scale").Shape);
            Assert.Equal("lycoris.kohya", file.Metadata["ss_network_module"]);
            Assert.Contains("\"dora_wd\":\"True\"", file.Metadata["ss_network_args"]);
        }
        using var read = LoraNetwork.Read(path, layers.Targets);
        using var expected = original.MergedWeight(weight, 0.8);
        using var actual = read.Layers.Single().MergedWeight(weight, 0.8);
        Assert.True(TensorAssert.Identical(expected, actual));
    }

    static Tensor Weight(DiffusionTune.Diffusion.Pipelines.StableDiffusionModel model, string name) =>
        model.Unet.state_dict()[name + ".weight"].detach();

    /// <summary>m · W / ‖W‖ with the norm per output row or per input column, computed by flattening rather than by reduction dims.</summary>
    static Tensor Renormalised(Tensor weight, Tensor magnitude, DoraAxis axis)
    {
        var norms = axis == DoraAxis.Output
            ? weight.flatten(1).norm(1, keepdim: true).reshape([weight.shape[0], .. Enumerable.Repeat(1L, (int)weight.dim() - 1)])
            : weight.transpose(0, 1).flatten(1).norm(1, keepdim: true).reshape([weight.shape[1], .. Enumerable.Repeat(1L, (int)weight.dim() - 1)]).transpose(0, 1);
        return weight * magnitude.reshape(norms.shape) / norms;
    }

    static Tensor Interpolate(Tensor from, Tensor to, double strength) => from + (to - from) * strength;
}
