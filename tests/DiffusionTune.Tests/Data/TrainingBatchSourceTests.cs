using DiffusionTune.Contracts;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Training.Data;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Data;

public class TrainingBatchSourceTests
{
    static Generator StepRandom(int step) => new Generator(0, CPU).manual_seed(1000 + step);

    [Fact]
    public void Prior_preservation_batches_contain_generated_class_examples_with_the_prior_loss_weight()
    {
        using var folder = new DataFolder();
        for (int i = 0; i < 3; i++) folder.Image($"instance/{i}.png", 64, 64 + 8 * i, seed: i);
        using var model = StableDiffusionModel.Load(RandomTinyModel.SaveDiffusers());
        var classImages = new ClassImageGenerator(model).Prepare(new ClassImageSettings
        {
            ClassPrompt = "a photo of star",
            Count = 4,
            Resolution = 16,
            Steps = 2,
            Sampler = new SamplerChoice(SamplerKind.Euler),
        }, Path.Combine(folder.Path, "class-cache"));
        var instances = TrainingImageSet.Load(Path.Combine(folder.Path, "instance"), new ImageFolderOptions { CaptionTemplate = "a photo of sks star" });
        var planner = new BatchPlanner(instances, classImages.ToImageSet(), new ImagePreprocessing { Resolution = 16, RandomFlip = true },
            new BatchSettings { Seed = 9, BatchSize = 2, PriorLossWeight = 0.75f, CaptionDropout = 0.2 });
        using var cache = LatentCache.Build(planner.AllVariants(), new VaeLatentEncoder(model.Vae), Path.Combine(folder.Path, "run"));
        var source = new TrainingBatchSource(planner, cache, CPU);

        for (int step = 0; step < 4; step++)
        {
            using var scope = NewDisposeScope();
            var plan = planner.Plan(step, 0);
            var batch = source.Get(step, 0, StepRandom(step));
            int instanceCount = plan.Examples.Count(e => !e.IsClassExample);

            Assert.Equal(new long[] { 2 * instanceCount, 4, 8, 8 }, batch.Latents.shape);
            Assert.Equal(ScalarType.Float32, batch.Latents.dtype);
            Assert.True(batch.Latents.isfinite().all().item<bool>());
            Assert.Equal(Enumerable.Repeat(false, instanceCount).Concat(Enumerable.Repeat(true, instanceCount)), batch.IsClassExample);
            Assert.Equal(Enumerable.Repeat(1f, instanceCount).Concat(Enumerable.Repeat(0.75f, instanceCount)), batch.LossWeights);
            Assert.All(batch.Prompts.Skip(instanceCount), p => Assert.Equal("a photo of star", p));
            Assert.All(batch.Prompts.Take(instanceCount), p => Assert.Contains(p, new[] { "a photo of sks star", "" }));
            Assert.All(plan.Examples.Skip(instanceCount), e => Assert.StartsWith(classImages.Folder, e.Variant.Image.Path));
            // The latents are those of the planned images, the class images' included.
            var expected = cache.Sample(plan.Examples.Select(e => e.Variant).ToList(), StepRandom(step));
            Assert.True(TensorAssert.Identical(expected, batch.Latents));
        }
    }

    [Fact]
    public void The_batch_at_step_k_is_the_same_whether_or_not_earlier_batches_were_drawn()
    {
        using var folder = new DataFolder();
        for (int i = 0; i < 5; i++) folder.Image($"instance/{i}.png", 64 + 8 * i, 64, seed: i);
        for (int i = 0; i < 3; i++) folder.Image($"class/{i}.png", 64, 64, seed: 50 + i);
        using var model = RandomTinyModel.Create();
        var instances = TrainingImageSet.Load(Path.Combine(folder.Path, "instance"), new ImageFolderOptions { CaptionTemplate = "sks star", Repeats = 2 });
        var classes = TrainingImageSet.Load(Path.Combine(folder.Path, "class"), new ImageFolderOptions { CaptionTemplate = "star" });
        var preprocessing = new ImagePreprocessing { Resolution = 16, Crop = CropMode.Random, RandomFlip = true };
        var settings = new BatchSettings { Seed = 4, BatchSize = 2, MicroBatchesPerStep = 2, CaptionDropout = 0.5 };
        // Random crop: latents are encoded as batches are drawn.
        var encoder = new VaeLatentEncoder(model.Vae);

        var straight = new TrainingBatchSource(new BatchPlanner(instances, classes, preprocessing, settings), encoder, CPU);
        const int k = 6;
        var drawn = new List<TrainingBatch>();
        for (int step = 0; step <= k; step++)
        {
            var random = StepRandom(step);
            drawn.Add(straight.Get(step, 0, random));
            drawn.Add(straight.Get(step, 1, random));
        }

        var resumed = new TrainingBatchSource(new BatchPlanner(instances, classes, preprocessing, settings), encoder, CPU);
        var resumedRandom = StepRandom(k);
        foreach (var (microBatch, expected) in new[] { (0, drawn[2 * k]), (1, drawn[2 * k + 1]) })
        {
            var batch = resumed.Get(k, microBatch, resumedRandom);
            Assert.Equal(expected.Prompts, batch.Prompts);
            Assert.Equal(expected.IsClassExample, batch.IsClassExample);
            Assert.Equal(expected.LossWeights, batch.LossWeights);
            Assert.True(TensorAssert.Identical(expected.Latents, batch.Latents), $"micro-batch {microBatch} of step {k} differs after a resume");
            batch.Latents.Dispose();
        }
        foreach (var batch in drawn) batch.Latents.Dispose();
    }
}
