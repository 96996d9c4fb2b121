using DiffusionTune.Training.Data;

namespace DiffusionTune.Tests.Data;

public class AspectRatioBucketTests
{
    static readonly ImagePreprocessing Sd15Buckets = new() { Resolution = 512, UseBuckets = true };

    [Fact]
    public void Buckets_have_step_multiple_sides_in_range_and_at_most_the_resolution_squared_area()
    {
        var buckets = AspectRatioBuckets.Create(Sd15Buckets);

        Assert.Contains(new ImageSize(512, 512), buckets.Sizes);
        Assert.All(buckets.Sizes, size =>
        {
            Assert.Equal(0, size.Width % 64);
            Assert.Equal(0, size.Height % 64);
            Assert.InRange(size.Width, 256, 1024);
            Assert.InRange(size.Height, 256, 1024);
            Assert.True(size.Area <= 512 * 512, $"{size} is larger than 512²");
            Assert.Contains(new ImageSize(size.Height, size.Width), buckets.Sizes);
        });
        Assert.Equal(buckets.Sizes.Count, buckets.Sizes.Distinct().Count());
        // Each bucket, or its transpose, takes for its width the tallest height that fits the area.
        bool Tallest(int width, int height) => height == 1024 || (long)width * (height + 64) > 512 * 512;
        Assert.All(buckets.Sizes, size => Assert.True(Tallest(size.Width, size.Height) || Tallest(size.Height, size.Width), $"neither {size} nor its transpose is as tall as it could be"));
    }

    [Theory]
    [InlineData(1000, 1000)]
    [InlineData(1920, 1080)]
    [InlineData(1080, 1920)]
    [InlineData(3000, 1000)]
    [InlineData(640, 480)]
    public void Each_image_goes_to_the_bucket_closest_in_aspect_ratio(int width, int height)
    {
        var buckets = AspectRatioBuckets.Create(Sd15Buckets);
        var image = new ImageSize(width, height);

        var chosen = buckets.Closest(image);

        double Distance(ImageSize bucket) => Math.Abs(Math.Log(bucket.AspectRatio) - Math.Log(image.AspectRatio));
        Assert.All(buckets.Sizes, bucket => Assert.True(Distance(chosen) <= Distance(bucket) + 1e-12, $"{bucket} is closer to {image} than {chosen}"));
        Assert.Equal(new ImageSize(chosen.Height, chosen.Width), buckets.Closest(new ImageSize(height, width)));
    }

    [Fact]
    public void A_square_image_goes_to_the_square_bucket_and_tiny_resolutions_use_the_vae_step()
    {
        Assert.Equal(new ImageSize(512, 512), AspectRatioBuckets.Create(Sd15Buckets).Closest(new ImageSize(77, 77)));
        var tiny = new ImagePreprocessing { Resolution = 32, UseBuckets = true, BucketStep = 16 };
        tiny.Validate(vaeScaleFactor: 2);
        Assert.Equal([new ImageSize(16, 48), new ImageSize(16, 64), new ImageSize(32, 32), new ImageSize(48, 16), new ImageSize(64, 16)],
            AspectRatioBuckets.Create(tiny).Sizes);
    }

    [Fact]
    public void Bucket_settings_that_do_not_fit_the_vae_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new ImagePreprocessing { Resolution = 30 }.Validate(vaeScaleFactor: 8));
        Assert.Throws<ArgumentException>(() => new ImagePreprocessing { Resolution = 512, UseBuckets = true, BucketStep = 60 }.Validate(vaeScaleFactor: 8));
        Assert.Throws<ArgumentException>(() => new ImagePreprocessing { Resolution = 512, UseBuckets = true, MinBucketSide = 576 }.Validate(vaeScaleFactor: 8));
    }

    [Fact]
    public void Batches_hold_one_bucket_and_assignment_is_deterministic()
    {
        using var folder = new DataFolder();
        folder.Image("wide1.png", 128, 64, seed: 1);
        folder.Image("wide2.png", 130, 64, seed: 2);
        folder.Image("wide3.png", 126, 64, seed: 3);
        folder.Image("tall1.png", 64, 128, seed: 4);
        folder.Image("tall2.png", 64, 125, seed: 5);
        folder.Image("square1.png", 64, 64, seed: 6);
        folder.Image("square2.png", 70, 68, seed: 7);
        var images = TrainingImageSet.Load(folder.Path, new ImageFolderOptions { CaptionTemplate = "sks", Repeats = 2 });
        var settings = new BatchSettings { Seed = 5, BatchSize = 3 };

        var planner = new BatchPlanner(images, null, Sd15Buckets, settings);
        var again = new BatchPlanner(images, null, Sd15Buckets, settings);

        Assert.Equal(planner.InstanceSizes, again.InstanceSizes);
        var buckets = AspectRatioBuckets.Create(Sd15Buckets);
        for (int i = 0; i < images.Images.Count; i++)
            Assert.Equal(buckets.Closest(images.Images[i].Size), planner.InstanceSizes[i]);
        Assert.Equal(3, planner.InstanceSizes.Distinct().Count());
        // Wide: 3 images × 2 repeats = 6 items; tall and square: 2 × 2 = 4 each; so two batches of at most 3 per bucket.
        Assert.Equal(6, planner.BatchesPerEpoch);
        for (int step = 0; step < 3 * planner.BatchesPerEpoch; step++)
        {
            var batch = planner.Plan(step, 0);
            Assert.All(batch.Examples, e => Assert.Equal(batch.Size, e.Variant.Size));
            Assert.All(batch.Examples, e => Assert.Equal(buckets.Closest(e.Variant.Image.Size), e.Variant.Size));
        }
    }
}
