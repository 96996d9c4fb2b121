using DiffusionTune.Cli;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Formats;
using DiffusionTune.Tests.Pipelines;
using static DiffusionTune.Tests.Adapters.AdapterTestData;
using static DiffusionTune.Tests.Merging.MergeTestModels;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Merging;

public class LoraBlockStrengthTests
{
    const string OutputAttention = "up_blocks.0.attentions.0.transformer_blocks.0.attn2.to_v";

    [Fact]
    public async Task Merge_lora_bakes_per_block_strengths_into_a_new_lora_file()
    {
        var model = RandomTinyModel.SaveDiffusers(seed: 5);
        var source = WriteLora();
        var baked = Path.Combine(TestPaths.TempFolder(), "baked.safetensors");

        Assert.Equal(0, await CliApplication.RunAsync(["merge", "--model", model, "--lora", source, "--alpha", "in=0.5,mid=0,out=2,resnet=0,te=-1", "-o", baked, "--device", "cpu"]));

        var (tiny, layers) = TinyModel();
        using var _ = tiny;
        using var original = LoraNetwork.Read(source, layers.Targets);
        using var rescaled = LoraNetwork.Read(baked, layers.Targets);
        var expected = new Dictionary<string, double>
        {
            [$"unet/{SelfAttentionQuery}"] = 0.5,
            [$"unet/{OutputAttention}"] = 2,
            [$"text_encoder/{TextQuery}"] = -1,
        };
        Assert.Equal(expected.Keys.Order(), rescaled.Layers.Select(l => l.Target.ToString()).Order());
        foreach (var layer in rescaled.Layers)
        {
            var name = layer.Target.ToString();
            using var before = original.Layers.Single(l => l.Target.ToString() == name).Delta(expected[name]);
            using var after = layer.Delta();
            TensorAssert.Close(before, after, rtol: 1e-6, atol: 1e-7, name);
        }
        Assert.Equal("0.0001", rescaled.Metadata["ss_learning_rate"]);
        Assert.Equal("baked", rescaled.Metadata["ss_output_name"]);
        Assert.Contains("\"alpha\":\"1,in=0.5,mid=0,out=2,resnet=0,te=-1\"", rescaled.Metadata[ModelMetadata.LoraBlockStrengths]);
    }

    [Fact]
    public async Task Merge_lora_with_block_strengths_changes_only_the_chosen_blocks()
    {
        var modelPath = RandomTinyModel.SaveDiffusers(seed: 5);
        var lora = WriteLora();
        var mergedPath = Path.Combine(TestPaths.TempFolder(), "merged");

        Assert.Equal(0, await CliApplication.RunAsync(["merge-lora", "--model", modelPath, "--lora", lora + ":0.8", "--alpha", "0,in=1", "-o", mergedPath, "--device", "cpu"]));

        using var @base = StableDiffusionModel.Load(modelPath);
        using var merged = StableDiffusionModel.Load(mergedPath);
        var (tiny, layers) = TinyModel();
        using var _ = tiny;
        using var network = LoraNetwork.Read(lora, layers.Targets);
        foreach (var layer in network.Layers)
        {
            var name = layer.Target.Name + ".weight";
            var before = Tensor(@base, layer.Target.Component, name);
            var after = Tensor(merged, layer.Target.Component, name);
            if (layer.Target.Name is SelfAttentionQuery or ResnetConv)
            {
                using var expected = layer.MergedWeight(before, 0.8);
                TensorAssert.Close(expected, after, rtol: 1e-6, atol: 1e-6, name);
            }
            else
            {
                Assert.True(TensorAssert.Identical(before, after), $"{layer.Target} changed");
            }
        }
    }

    /// <summary>A float32 kohya LoRA with a layer in each UNet block, an input-side resnet and a text-encoder layer.</summary>
    static string WriteLora() => WriteKohyaLora("source.safetensors",
        [(SelfAttentionQuery, 2), (ResnetConv, 4), (AttentionOut, 4), (OutputAttention, 1), (TextQuery, 4)],
        new KohyaLoraMetadata { Training = new Dictionary<string, string> { ["ss_learning_rate"] = "0.0001", ["ss_output_name"] = "source" } },
        ScalarType.Float32);
}
