using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Samplers;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Pipelines;

public class GenerationTests
{
    static GenerationRequest Request(long seed, int batch = 1, string sampler = "euler_a") => new()
    {
        Prompt = "a cat, (dog:1.3)",
        NegativePrompt = "dog",
        Steps = 4,
        GuidanceScale = 5,
        Sampler = SamplerChoice.Parse(sampler),
        Seed = seed,
        Width = 32,
        Height = 32,
        BatchSize = batch,
    };

    [Fact]
    public void The_same_seed_gives_the_same_image_and_batches_do_not_change_images()
    {
        using var model = RandomTinyModel.Create();
        var pipeline = new TextToImagePipeline(model);
        using var scope = NewDisposeScope();

        var first = pipeline.Generate(Request(seed: 7));
        var again = pipeline.Generate(Request(seed: 7));
        var other = pipeline.Generate(Request(seed: 8));
        var batch = pipeline.Generate(Request(seed: 7, batch: 2));

        Assert.Equal(new long[] { 1, 3, 32, 32 }, first.shape);
        Assert.True(TensorAssert.Identical(first, again), "same seed, different image");
        Assert.False(first.allclose(other), "different seeds gave the same image");
        TensorAssert.Close(first, batch[0..1], 1e-5, 1e-5, "image 0 of a batch");
        TensorAssert.Close(other, batch[1..2], 1e-5, 1e-5, "image 1 of a batch uses seed + 1");
    }

    [Theory]
    [InlineData("ddim")]
    [InlineData("euler")]
    [InlineData("dpmpp_2m_karras")]
    public void Every_sampler_produces_finite_images_in_range(string sampler)
    {
        using var model = RandomTinyModel.Create();
        using var scope = NewDisposeScope();
        var images = new TextToImagePipeline(model).Generate(Request(seed: 1, sampler: sampler));
        Assert.True(images.isfinite().all().item<bool>());
    }
}
