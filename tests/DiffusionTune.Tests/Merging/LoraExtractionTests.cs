using System.Text.Json;
using DiffusionTune.Cli;
using DiffusionTune.Diffusion.Merging;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Adapters;
using static DiffusionTune.Tests.Adapters.AdapterTestData;
using static DiffusionTune.Tests.Merging.MergeTestModels;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Merging;

public class LoraExtractionTests
{
    /// <summary>Singular values 4, 2, 1, 0.5: energies 16, 4, 1, 0.25 of 21.25, so 75.3%, 94.1%, 98.8% and 100% by rank 1–4.</summary>
    static readonly float[] SingularValues = [4, 2, 1, 0.5f];

    [Fact]
    public async Task A_full_rank_lora_merged_into_the_base_with_merge_lora_gives_the_tuned_weights()
    {
        var (basePath, tunedPath) = SavedPair();
        var lora = Path.Combine(TestPaths.TempFolder(), "extracted.safetensors");
        Assert.Equal(0, await CliApplication.RunAsync(["extract-lora", "--base", basePath, "--tuned", tunedPath, "--rank", "1000", "--targets", "all", "--save-precision", "fp32", "-o", lora]));
        var mergedPath = Path.Combine(TestPaths.TempFolder(), "merged");
        Assert.Equal(0, await CliApplication.RunAsync(["merge-lora", "--model", basePath, "--lora", lora, "-o", mergedPath, "--device", "cpu"]));

        using var @base = StableDiffusionModel.Load(basePath);
        using var tuned = StableDiffusionModel.Load(tunedPath);
        using var merged = StableDiffusionModel.Load(mergedPath);
        using var network = LoraNetwork.Read(lora, new AdaptableLayers(@base.Unet, @base.TextEncoder).Targets);
        var adapted = network.Layers.Select(l => l.Target.ToString()).ToHashSet();
        Assert.Contains($"unet/{ResnetConv}", adapted);
        Assert.Contains($"unet/{Downsampler}", adapted);
        Assert.Contains($"unet/{ProjectIn}", adapted);
        Assert.Contains($"unet/{FeedForward}", adapted);
        Assert.Contains($"text_encoder/{TextFc1}", adapted);
        Assert.DoesNotContain("unet/time_embedding.linear_1", adapted);
        foreach (var layer in network.Layers)
        {
            var target = layer.Target;
            Assert.Equal(Math.Min(target.OutFeatures, target.InFeatures * target.KernelArea), layer.Rank);
            Assert.Equal(1.0, layer.Scale);
            var name = target.Name + ".weight";
            var expected = Tensor(tuned, target.Component, name);
            using var error = (Tensor(merged, target.Component, name) - expected).abs().max();
            using var size = expected.abs().max();
            Assert.True(error.item<float>() < 1e-4 * size.item<float>(), $"{target}: max |error| {error.item<float>()} against max |W| {size.item<float>()}");
        }
        // What a LoRA cannot carry stays the base's.
        Assert.True(TensorAssert.Identical(Tensor(@base, ModelComponent.UNet, "time_embedding.linear_1.bias"), Tensor(merged, ModelComponent.UNet, "time_embedding.linear_1.bias")));
    }

    [Theory]
    [InlineData(0.7, 1)]
    [InlineData(0.9, 2)]
    [InlineData(0.95, 3)]
    [InlineData(0.99, 4)]
    public void The_energy_threshold_keeps_the_smallest_rank_that_reaches_it(double threshold, int expectedRank)
    {
        var (basePath, tunedPath) = SavedPair(seed: 3, AddKnownLowRankChange);
        using var @base = StableDiffusionModel.Load(basePath);
        using var tuned = StableDiffusionModel.Load(tunedPath);

        using var lora = LoraExtraction.Extract(@base, tuned, RankSelection.Energy(threshold, maxRank: 128));

        var layer = Assert.Single(lora.Reports);
        Assert.Equal(SelfAttentionQuery, layer.Target.Name);
        Assert.Equal(expectedRank, layer.Rank);
        double kept = SingularValues.Take(expectedRank).Sum(s => s * s) / SingularValues.Sum(s => s * s);
        Assert.Equal(kept, lora.RetainedEnergy, 5);
        Assert.Equal(0, lora.LeftOutTensors);
        Assert.True(lora.UnchangedLayers > 20);
        var single = Assert.Single(lora.Layers);
        Assert.Equal(expectedRank, single.Rank);
        Assert.Equal(expectedRank, single.Alpha);
    }

    [Fact]
    public void A_cap_or_a_fixed_rank_overrides_the_energy_rule()
    {
        Assert.Equal(2, RankSelection.Energy(0.99, maxRank: 2).Choose([4, 2, 1, 0.5]));
        Assert.Equal(3, RankSelection.Fixed(3).Choose([4, 2, 1, 0.5]));
        Assert.Equal(4, RankSelection.Fixed(32).Choose([4, 2, 1, 0.5]));
        Assert.Equal(4, RankSelection.Energy(1, maxRank: 128).Choose([4, 2, 1, 0.5]));
        Assert.Throws<ArgumentException>(() => RankSelection.Energy(1.5, 8));
        Assert.Throws<ArgumentException>(() => RankSelection.Fixed(0));
    }

    [Fact]
    public async Task The_extracted_file_is_a_kohya_lora_that_says_where_it_came_from()
    {
        var (basePath, tunedPath) = SavedPair(seed: 3, AddKnownLowRankChange);
        var output = Path.Combine(TestPaths.TempFolder(), "star.safetensors");
        Assert.Equal(0, await CliApplication.RunAsync(["extract-lora", "--base", basePath, "--tuned", tunedPath, "--energy", "0.9", "-o", output]));

        using var model = StableDiffusionModel.Load(basePath);
        using var network = LoraNetwork.Read(output, new AdaptableLayers(model.Unet, model.TextEncoder).Targets);
        var layer = Assert.Single(network.Layers);
        Assert.Equal(2, layer.Rank);
        Assert.Equal(1.0, layer.Scale);
        Assert.Equal(KohyaLoraWriter.LoraNetworkModule, network.Metadata["ss_network_module"]);
        Assert.Equal("2", network.Metadata["ss_network_dim"]);
        Assert.Equal("star", network.Metadata["ss_output_name"]);
        Assert.Contains("extract-lora", network.Metadata["ss_training_comment"]);
        using var extraction = JsonDocument.Parse(network.Metadata[ModelMetadata.LoraExtraction]);
        var root = extraction.RootElement;
        Assert.Equal(Path.GetFullPath(basePath), root.GetProperty("base").GetProperty("path").GetString());
        Assert.Equal(Path.GetFullPath(tunedPath), root.GetProperty("tuned").GetProperty("path").GetString());
        Assert.Equal("energy 0.9, rank ≤ 128", root.GetProperty("rank_selection").GetString());
        Assert.Equal(20.0 / 21.25, root.GetProperty("retained_energy").GetDouble(), 5);

        var refused = Path.Combine(TestPaths.TempFolder(), "refused.safetensors");
        Assert.Equal(1, await CliApplication.RunAsync(["extract-lora", "--base", basePath, "--tuned", tunedPath, "--energy", "0.9", "--rank", "4", "-o", refused]));
        Assert.Equal(1, await CliApplication.RunAsync(["extract-lora", "--base", basePath, "--tuned", basePath, "--rank", "4", "-o", refused]));
        Assert.False(File.Exists(refused));
    }

    /// <summary>Adds U·diag(<see cref="SingularValues"/>)·Vᵀ (random orthonormal U, V) to one 64×64 attention projection.</summary>
    static void AddKnownLowRankChange(StableDiffusionModel model)
    {
        var weight = Tensor(model, ModelComponent.UNet, SelfAttentionQuery + ".weight");
        using var scope = NewDisposeScope();
        var (left, _) = linalg.qr(randn(64, SingularValues.Length));
        var (right, _) = linalg.qr(randn(64, SingularValues.Length));
        weight.add_(left.mm(diag(tensor(SingularValues))).mm(right.t()));
    }
}
