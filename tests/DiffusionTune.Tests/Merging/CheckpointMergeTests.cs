using DiffusionTune.Cli;
using DiffusionTune.Cli.Commands;
using DiffusionTune.Cli.Commands.Merge;
using DiffusionTune.Diffusion.Merging;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Models.Merging;
using DiffusionTune.Tests.Pipelines;
using static DiffusionTune.Tests.Merging.MergeTestModels;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Merging;

public class CheckpointMergeTests
{
    [Fact]
    public async Task A_merge_cancelled_before_it_saves_writes_nothing()
    {
        var (basePath, tunedPath) = SavedPair();
        var work = TestPaths.TempFolder();
        var output = Path.Combine(work, "merged");
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        int exit = await CommandRunner.RunAsync(
            cancellation => Task.FromResult(MergeCommand.Run(new MergeSettings { Base = basePath, Tuned = tunedPath, Alpha = "0.5", Output = output }, cancellation)),
            stop.Token);

        Assert.Equal(CommandRunner.Cancelled, exit);
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
    }

    [Fact]
    public async Task Alpha_0_writes_the_base_and_alpha_1_the_tuned_model_bit_for_bit()
    {
        var (basePath, tunedPath) = SavedPair();
        var work = TestPaths.TempFolder();
        var atZero = Path.Combine(work, "alpha0");
        var atOne = Path.Combine(work, "alpha1.safetensors");
        Assert.Equal(0, await CliApplication.RunAsync(["merge", "--base", basePath, "--tuned", tunedPath, "--alpha", "0", "-o", atZero, "--device", "cpu"]));
        Assert.Equal(0, await CliApplication.RunAsync(["merge", "--base", basePath, "--tuned", tunedPath, "--alpha", "1", "-o", atOne, "--model-format", "safetensors", "--device", "cpu"]));

        using var @base = StableDiffusionModel.Load(basePath);
        using var tuned = StableDiffusionModel.Load(tunedPath);
        using (var merged = StableDiffusionModel.Load(atZero))
            AssertIdentical(@base, merged);
        using (var merged = StableDiffusionModel.Load(atOne))
            AssertIdentical(tuned, merged);
        // The fp32 weights files themselves: the α 0 UNet file holds the base file's tensors.
        using var baseUnet = SafetensorsFile.Open(Path.Combine(basePath, "unet", "diffusion_pytorch_model.safetensors"));
        using var mergedUnet = SafetensorsFile.Open(Path.Combine(atZero, "unet", "diffusion_pytorch_model.safetensors"));
        foreach (var entry in baseUnet.Entries)
        {
            using var expected = baseUnet.Load(entry.Name);
            using var actual = mergedUnet.Load(entry.Name);
            Assert.True(TensorAssert.Identical(expected, actual), entry.Name);
        }
        using var single = SafetensorsFile.Open(atOne);
        Assert.Contains("\"alpha\":\"1\"", single.Metadata[ModelMetadata.Merge]);
    }

    [Fact]
    public void A_block_alpha_moves_only_that_blocks_tensors()
    {
        var (basePath, tunedPath) = SavedPair();
        using var @base = StableDiffusionModel.Load(basePath);
        using var tuned = StableDiffusionModel.Load(tunedPath);
        using var merged = StableDiffusionModel.Load(basePath);

        var counts = CheckpointInterpolation.Interpolate(@base, tuned, BlockWeights.Parse("0,mid=0.5"), merged);

        var baseTensors = Tensors(@base).ToDictionary(t => (t.Component, t.Name), t => t.Tensor);
        var tunedTensors = Tensors(tuned).ToDictionary(t => (t.Component, t.Name), t => t.Tensor);
        int middle = 0;
        foreach (var (component, name, tensor) in Tensors(merged))
        {
            var b = baseTensors[(component, name)];
            if (component == ModelComponent.UNet && name.StartsWith("mid_block.", StringComparison.Ordinal))
            {
                using var expected = b + (tunedTensors[(component, name)] - b) * 0.5;
                TensorAssert.Close(expected, tensor, rtol: 1e-6, atol: 1e-7, name);
                Assert.False(TensorAssert.Identical(b, tensor), $"{name} kept the base weights");
                middle++;
            }
            else
            {
                Assert.True(TensorAssert.Identical(b, tensor), $"{component.FolderName()}/{name} moved");
            }
        }
        Assert.True(middle > 10);
        Assert.Equal(middle, counts[ModelComponent.UNet].Interpolated);
        Assert.Equal(0, counts[ModelComponent.TextEncoder].Interpolated + counts[ModelComponent.Vae].Interpolated);
    }

    [Fact]
    public void The_kind_factor_separates_attention_from_resnet_tensors_within_a_block()
    {
        var (basePath, tunedPath) = SavedPair();
        using var @base = StableDiffusionModel.Load(basePath);
        using var tuned = StableDiffusionModel.Load(tunedPath);
        using var merged = StableDiffusionModel.Load(basePath);

        CheckpointInterpolation.Interpolate(@base, tuned, BlockWeights.Parse("0,in=1,resnet=0"), merged);

        void Expect(StableDiffusionModel source, string name) =>
            Assert.True(TensorAssert.Identical(Tensor(source, ModelComponent.UNet, name), Tensor(merged, ModelComponent.UNet, name)), name);
        Expect(tuned, "conv_in.weight");
        Expect(tuned, "time_embedding.linear_1.weight");
        Expect(tuned, "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.weight");
        Expect(tuned, "down_blocks.0.downsamplers.0.conv.weight");
        Expect(@base, "down_blocks.0.resnets.0.conv1.weight");
        Expect(@base, "mid_block.attentions.0.proj_in.weight");
        Expect(@base, "up_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight");
        Expect(@base, "conv_out.weight");
    }

    [Fact]
    public async Task Models_of_different_architectures_are_refused_naming_both_files()
    {
        var basePath = RandomTinyModel.SaveDiffusers(seed: 3);
        var otherPath = RandomTinyModel.SaveDiffusers(seed: 3, RandomTinyModel.UnetConfig with { BlockOutChannels = [32, 96] });
        using var @base = StableDiffusionModel.Load(basePath);
        using var other = StableDiffusionModel.Load(otherPath);

        var error = Assert.Throws<ModelFileException>(() => CheckpointInterpolation.EnsureCompatible(@base, other));
        Assert.Contains(otherPath, error.Message);
        Assert.Contains(basePath, error.Message);
        Assert.Contains("unet/", error.Message);
        Assert.Matches(@"is \[64[^\]]*\] in the base but \[96[^\]]*\] in this model", error.Message);

        var output = Path.Combine(TestPaths.TempFolder(), "merged");
        Assert.Equal(1, await CliApplication.RunAsync(["merge", "--base", basePath, "--tuned", otherPath, "--alpha", "0.5", "-o", output, "--device", "cpu"]));
        Assert.False(Path.Exists(output));
    }

    [Fact]
    public async Task Merge_refuses_unclear_requests_before_loading_anything()
    {
        var (basePath, tunedPath) = SavedPair();
        var work = TestPaths.TempFolder();
        string[] pair = ["--base", basePath, "--tuned", tunedPath, "--device", "cpu"];
        Assert.Equal(1, await CliApplication.RunAsync(["merge", .. pair, "--alpha", "in=half", "-o", Path.Combine(work, "a")]));
        Assert.Equal(1, await CliApplication.RunAsync(["merge", .. pair, "--alpha", "0.5", "-o", work]));
        Assert.Equal(1, await CliApplication.RunAsync(["merge", .. pair, "--alpha", "0.5", "-o", Path.Combine(work, "b"), "--model-format", "safetensors"]));
        Assert.Equal(1, await CliApplication.RunAsync(["merge", "--base", basePath, "--alpha", "0.5", "-o", Path.Combine(work, "c")]));
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
    }
}
