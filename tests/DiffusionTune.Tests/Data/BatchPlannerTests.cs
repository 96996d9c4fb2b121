using DiffusionTune.Training.Data;

namespace DiffusionTune.Tests.Data;

public class BatchPlannerTests
{
    static readonly ImagePreprocessing Square16 = new() { Resolution = 16, RandomFlip = true };

    static TrainingImageSet Images(DataFolder folder, string subfolder, int count, string template, int repeats = 1, int firstSeed = 0)
    {
        for (int i = 0; i < count; i++) folder.Image(Path.Combine(subfolder, $"{i:D2}.png"), 64 + 8 * (i % 3), 64, seed: firstSeed + i);
        return TrainingImageSet.Load(Path.Combine(folder.Path, subfolder), new ImageFolderOptions { CaptionTemplate = template, Repeats = repeats });
    }

    static string Describe(PlannedBatch batch) =>
        string.Join(" | ", batch.Examples.Select(e =>
            $"{Path.GetFileName(e.Variant.Image.Path)} {e.Variant.Size} {e.Variant.Flipped} {e.Variant.CropLeft},{e.Variant.CropTop} '{e.Prompt}' {e.IsClassExample} {e.LossWeight}"));

    [Fact]
    public void Every_epoch_uses_each_repeated_image_exactly_as_often_as_its_repeats()
    {
        using var folder = new DataFolder();
        var images = Images(folder, "instance", 3, "sks", repeats: 2);
        var planner = new BatchPlanner(images, null, Square16, new BatchSettings { Seed = 1, BatchSize = 4 });

        Assert.Equal(2, planner.BatchesPerEpoch);
        Assert.Equal(8, planner.StepsForEpochs(4));
        var orders = new List<string>();
        for (int epoch = 0; epoch < 4; epoch++)
        {
            var batches = Enumerable.Range(0, 2).Select(i => planner.Plan(epoch * 2 + i, 0)).ToList();
            Assert.All(batches, b => Assert.Equal(epoch, b.Epoch));
            var used = batches.SelectMany(b => b.Examples).Select(e => e.Variant.Image.Path).ToList();
            Assert.Equal(6, used.Count);
            Assert.All(images.Images, image => Assert.Equal(2, used.Count(p => p == image.Path)));
            orders.Add(string.Join(",", batches.Select(Describe)));
        }
        Assert.True(orders.Distinct().Count() > 1, "every epoch drew the same order and flips");
    }

    [Fact]
    public void Resuming_at_step_k_gives_the_batch_a_straight_run_gives_there()
    {
        using var folder = new DataFolder();
        var instances = Images(folder, "instance", 5, "a photo of sks star", repeats: 3);
        var classes = Images(folder, "class", 4, "a photo of star", firstSeed: 100);
        var preprocessing = Square16 with { Crop = CropMode.Random };
        var settings = new BatchSettings { Seed = 42, BatchSize = 2, MicroBatchesPerStep = 3, CaptionDropout = 0.3, PriorLossWeight = 0.5f };

        var straight = new BatchPlanner(instances, classes, preprocessing, settings);
        var drawn = new List<string>();
        for (int step = 0; step < 12; step++)
            for (int micro = 0; micro < 3; micro++)
                drawn.Add(Describe(straight.Plan(step, micro)));

        foreach (int step in new[] { 11, 0, 7, 3 })
        {
            var resumed = new BatchPlanner(instances, classes, preprocessing, settings);
            for (int micro = 0; micro < 3; micro++)
                Assert.Equal(drawn[step * 3 + micro], Describe(resumed.Plan(step, micro)));
        }
        var otherSeed = new BatchPlanner(instances, classes, preprocessing, settings with { Seed = 43 });
        Assert.NotEqual(drawn[0] + drawn[1], Describe(otherSeed.Plan(0, 0)) + Describe(otherSeed.Plan(0, 1)));
    }

    [Fact]
    public void Prior_preservation_batches_mix_instance_and_class_examples_with_the_prior_loss_weight()
    {
        using var folder = new DataFolder();
        var instances = Images(folder, "instance", 3, "a photo of sks star");
        var classes = Images(folder, "class", 5, "a photo of star", firstSeed: 100);
        var planner = new BatchPlanner(instances, classes, Square16, new BatchSettings { Seed = 3, BatchSize = 2, PriorLossWeight = 0.25f });

        Assert.True(planner.HasClassImages);
        var classUses = new List<string>();
        for (int step = 0; step < 10; step++)
        {
            var batch = planner.Plan(step, 0);
            int instanceCount = batch.Examples.Count / 2;
            Assert.Equal(2 * instanceCount, batch.Examples.Count);
            Assert.All(batch.Examples.Take(instanceCount), e =>
            {
                Assert.False(e.IsClassExample);
                Assert.Equal(1f, e.LossWeight);
                Assert.Equal("a photo of sks star", e.Prompt);
                Assert.Contains(e.Variant.Image, instances.Images);
            });
            Assert.All(batch.Examples.Skip(instanceCount), e =>
            {
                Assert.True(e.IsClassExample);
                Assert.Equal(0.25f, e.LossWeight);
                Assert.Equal("a photo of star", e.Prompt);
                Assert.Contains(e.Variant.Image, classes.Images);
                Assert.Equal(batch.Size, e.Variant.Size);
            });
            classUses.AddRange(batch.Examples.Skip(instanceCount).Select(e => e.Variant.Image.Path));
        }
        // Class images are dealt like cards: each used once before any is used again.
        for (int start = 0; start + 5 <= classUses.Count; start += 5)
            Assert.Equal(5, classUses.Skip(start).Take(5).Distinct().Count());
    }

    [Fact]
    public void Caption_dropout_empties_instance_prompts_only()
    {
        using var folder = new DataFolder();
        var instances = Images(folder, "instance", 4, "a photo of sks star");
        var classes = Images(folder, "class", 3, "a photo of star", firstSeed: 100);
        var always = new BatchPlanner(instances, classes, Square16, new BatchSettings { BatchSize = 2, CaptionDropout = 1 });
        var half = new BatchPlanner(instances, classes, Square16, new BatchSettings { BatchSize = 2, CaptionDropout = 0.5 });

        var batch = always.Plan(0, 0);
        Assert.All(batch.Examples.Where(e => !e.IsClassExample), e => Assert.Equal("", e.Prompt));
        Assert.All(batch.Examples.Where(e => e.IsClassExample), e => Assert.Equal("a photo of star", e.Prompt));

        var prompts = Enumerable.Range(0, 200).SelectMany(step => half.Plan(step, 0).Examples.Where(e => !e.IsClassExample)).Select(e => e.Prompt).ToList();
        Assert.InRange(prompts.Count(p => p.Length == 0), 150, 250);
    }

    [Fact]
    public void Random_crops_stay_inside_the_resized_image_and_change_between_epochs()
    {
        using var folder = new DataFolder();
        folder.Image("wide.png", 160, 64);
        var images = TrainingImageSet.Load(folder.Path, new ImageFolderOptions { CaptionTemplate = "sks" });
        var planner = new BatchPlanner(images, null, new ImagePreprocessing { Resolution = 16, Crop = CropMode.Random }, new BatchSettings { BatchSize = 1 });

        // 160x64 covers 16x16 at 40x16: the crop's left edge ranges over 0..24.
        var lefts = Enumerable.Range(0, 40).Select(step => planner.Plan(step, 0).Examples[0].Variant).ToList();
        Assert.All(lefts, v => Assert.InRange(v.CropLeft, 0, 24));
        Assert.All(lefts, v => Assert.Equal(0, v.CropTop));
        Assert.True(lefts.Select(v => v.CropLeft).Distinct().Count() > 5);
        var error = Assert.Throws<ArgumentException>(() => planner.AllVariants());
        Assert.Contains("random crop", error.Message);
    }

    [Fact]
    public void All_variants_cover_every_instance_and_class_image_at_every_bucket_with_both_flips()
    {
        using var folder = new DataFolder();
        folder.Image("instance/wide.png", 128, 64, seed: 1);
        folder.Image("instance/square.png", 64, 64, seed: 2);
        folder.Image("class/a.png", 64, 64, seed: 3);
        var instances = TrainingImageSet.Load(Path.Combine(folder.Path, "instance"), new ImageFolderOptions { CaptionTemplate = "sks" });
        var classes = TrainingImageSet.Load(Path.Combine(folder.Path, "class"), new ImageFolderOptions { CaptionTemplate = "star" });
        var preprocessing = new ImagePreprocessing { Resolution = 32, UseBuckets = true, BucketStep = 16, RandomFlip = true };
        var planner = new BatchPlanner(instances, classes, preprocessing, new BatchSettings { BatchSize = 1 });

        var variants = planner.AllVariants();

        // 2 instance images + 1 class image at each of the 2 instance buckets, each upright and mirrored.
        Assert.Equal(8, variants.Count);
        for (int step = 0; step < 20; step++)
            Assert.All(planner.Plan(step, 0).Examples, e => Assert.Contains(e.Variant, variants));
    }
}
