using DiffusionTune.Cli.Commands;
using DiffusionTune.IO.Images;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Training.Data;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Data;

public class LatentCacheTests
{
    static readonly ImagePreprocessing Square16 = new() { Resolution = 16, RandomFlip = true };

    static BatchPlanner Planner(DataFolder folder, ImagePreprocessing preprocessing) =>
        new(TrainingImageSet.Load(Path.Combine(folder.Path, "images"), new ImageFolderOptions { CaptionTemplate = "sks" }),
            null, preprocessing, new BatchSettings { BatchSize = 2 });

    static DataFolder ThreeImages()
    {
        var folder = new DataFolder();
        for (int i = 0; i < 3; i++) folder.Image($"images/{i}.png", 64 + 16 * i, 64, seed: i);
        return folder;
    }

    static Generator Seeded(long seed) => new Generator(0, CPU).manual_seed(seed);

    [Fact]
    public void The_disk_cache_is_encoded_once_reused_and_re_encoded_only_where_images_or_settings_change()
    {
        using var folder = ThreeImages();
        using var model = RandomTinyModel.Create();
        var encoder = new VaeLatentEncoder(model.Vae, batchSize: 4);
        var cacheFolder = Path.Combine(folder.Path, "run");
        var variants = Planner(folder, Square16).AllVariants();

        using (var first = LatentCache.Build(variants, encoder, cacheFolder))
        using (var second = LatentCache.Build(variants, encoder, cacheFolder))
        {
            Assert.Equal((0, 6), (first.Reused, first.Encoded));
            Assert.Equal((6, 0), (second.Reused, second.Encoded));
            Assert.True(File.Exists(first.FilePath));
            Assert.Equal(first.FilePath, second.FilePath);
            using var fromMemory = first.Sample(variants.Take(2).ToList(), Seeded(1));
            using var fromDisk = second.Sample(variants.Take(2).ToList(), Seeded(1));
            Assert.True(TensorAssert.Identical(fromMemory, fromDisk), "the reloaded latents differ from the encoded ones");
        }

        folder.Image("images/1.png", 80, 64, seed: 99);
        using (var changedImage = LatentCache.Build(Planner(folder, Square16).AllVariants(), encoder, cacheFolder))
            Assert.Equal((4, 2), (changedImage.Reused, changedImage.Encoded));

        using (var changedSettings = LatentCache.Build(Planner(folder, Square16 with { Resolution = 32 }).AllVariants(), encoder, cacheFolder))
            Assert.Equal((0, 6), (changedSettings.Reused, changedSettings.Encoded));
        Assert.Single(Directory.GetFiles(cacheFolder));
    }

    [Fact]
    public void Another_vae_misses_the_cache_and_its_file_replaces_the_old_one()
    {
        using var folder = ThreeImages();
        using var model = RandomTinyModel.Create(seed: 0);
        using var otherModel = RandomTinyModel.Create(seed: 1);
        var cacheFolder = Path.Combine(folder.Path, "run");
        var variants = Planner(folder, Square16).AllVariants();

        using var first = LatentCache.Build(variants, new VaeLatentEncoder(model.Vae), cacheFolder);
        using var other = LatentCache.Build(variants, new VaeLatentEncoder(otherModel.Vae), cacheFolder);

        Assert.NotEqual(first.FilePath, other.FilePath);
        Assert.Equal((0, 6), (other.Reused, other.Encoded));
        Assert.False(File.Exists(first.FilePath));
        Assert.True(File.Exists(other.FilePath));
    }

    [Fact]
    public void A_damaged_cache_file_is_rebuilt_with_a_warning()
    {
        using var folder = ThreeImages();
        using var model = RandomTinyModel.Create();
        var encoder = new VaeLatentEncoder(model.Vae);
        var cacheFolder = Path.Combine(folder.Path, "run");
        var variants = Planner(folder, Square16).AllVariants();
        string path;
        using (var built = LatentCache.Build(variants, encoder, cacheFolder)) path = built.FilePath!;
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..100]);

        using var rebuilt = LatentCache.Build(variants, encoder, cacheFolder);

        Assert.Equal((0, 6), (rebuilt.Reused, rebuilt.Encoded));
        Assert.Contains(path, Assert.Single(rebuilt.Warnings));
        using var reread = LatentCache.Build(variants, encoder, cacheFolder);
        Assert.Equal(6, reread.Reused);
    }

    [Fact]
    public void Cached_latents_are_the_scaled_vae_distribution_sampled_like_live_encoding()
    {
        using var folder = ThreeImages();
        using var model = RandomTinyModel.Create();
        var encoder = new VaeLatentEncoder(model.Vae, batchSize: 4);
        var variants = Planner(folder, Square16).AllVariants();
        using var cache = LatentCache.Build(variants, encoder);
        using var scope = NewDisposeScope();

        Assert.Null(cache.FilePath);
        Assert.Equal(6, cache.Count);
        var flipped = variants.First(v => v.Flipped);
        using (var bitmap = flipped.Render())
        using (var distribution = model.Vae.Encode(ImageTensors.ToBatch([bitmap])))
        {
            var moments = encoder.Encode([flipped]).Single();
            TensorAssert.Close(distribution.Mean[0] * 0.18215, moments.Mean, 1e-5, 1e-6, "scaled mean");
            TensorAssert.Close(distribution.Std[0] * 0.18215, moments.Std, 1e-5, 1e-6, "scaled std");
            moments.Dispose();
        }

        var batch = variants.Take(3).ToList();
        var cached = cache.Sample(batch, Seeded(5));
        var live = encoder.Sample(batch, Seeded(5));
        var again = cache.Sample(batch, Seeded(6));
        Assert.Equal(new long[] { 3, 4, 8, 8 }, cached.shape);
        Assert.Equal(ScalarType.Float32, cached.dtype);
        TensorAssert.Close(live, cached, 1e-5, 1e-6, "cached vs live latents");
        Assert.False(cached.allclose(again), "a new generator state must draw a fresh latent");
    }

    [Fact]
    public async Task Cancelling_stops_before_the_next_batch_writes_no_cache_file_and_exits_130()
    {
        using var folder = ThreeImages();
        using var model = RandomTinyModel.Create();
        var cacheFolder = Path.Combine(folder.Path, "run");
        var variants = Planner(folder, Square16).AllVariants();
        using var cancel = new CancellationTokenSource();
        var batches = new List<int>();

        int code = await CommandRunner.RunAsync(token =>
        {
            using var cache = LatentCache.Build(variants, new VaeLatentEncoder(model.Vae, batchSize: 1), cacheFolder, (done, _) =>
            {
                batches.Add(done);
                cancel.Cancel();
            }, token);
            return Task.FromResult(CommandRunner.Success);
        }, cancel.Token);

        Assert.Equal(CommandRunner.Cancelled, code);
        Assert.Equal([1], batches);
        Assert.Equal(6, variants.Count);
        Assert.False(Directory.Exists(cacheFolder) && Directory.EnumerateFileSystemEntries(cacheFolder).Any(), "a cache file was written");
    }
}
