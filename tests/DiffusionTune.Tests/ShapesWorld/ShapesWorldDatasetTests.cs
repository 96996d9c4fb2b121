using System.Diagnostics;
using DiffusionTune.ShapesWorld;
using Xunit.Abstractions;

namespace DiffusionTune.Tests.ShapesWorld;

public class ShapesWorldDatasetTests(ITestOutputHelper output)
{
    static byte[] PixelsOf(ShapesWorldSample sample) => sample.Image.Bytes;

    [Fact]
    public void An_item_is_the_same_whatever_was_read_before_it()
    {
        var sequential = new ShapesWorldDataset(5);
        var expected = Enumerable.Range(0, 40).Select(i =>
        {
            using var sample = sequential.Get(i);
            return (sample.Caption, sample.Scene, Pixels: PixelsOf(sample));
        }).ToArray();

        // A fresh dataset read backwards, as a resumed run would start mid-epoch.
        var resumed = new ShapesWorldDataset(5);
        for (int i = 39; i >= 0; i--)
        {
            using var sample = resumed.Get(i);
            Assert.Equal(i, sample.Index);
            Assert.Equal(expected[i].Caption, sample.Caption);
            Assert.Equal(expected[i].Scene, sample.Scene);
            Assert.Equal(expected[i].Pixels, PixelsOf(sample));
            Assert.Equal((sample.Scene, sample.Caption), resumed.Describe(i));
        }

        using var otherSeed = new ShapesWorldDataset(6).Get(0);
        Assert.NotEqual(expected[0].Pixels, PixelsOf(otherSeed));
    }

    [Fact]
    public void Images_have_the_requested_size_and_captions_the_requested_identifier()
    {
        var dataset = new ShapesWorldDataset(1, SceneSamplerOptions.HeldOut, imageSize: 96, identifier: "ohwx");
        for (int i = 0; i < 20; i++)
        {
            using var sample = dataset.Get(i);
            Assert.Equal((96, 96), (sample.Image.Width, sample.Image.Height));
            Assert.True(sample.Scene.Style.IsHeldOut);
            Assert.Equal("ohwx", sample.Caption.Stated.Identifier);
            Assert.Contains($"ohwx {CaptionWords.Noun(sample.Scene.Shape)}", sample.Caption.Text);
        }
        Assert.Throws<ArgumentException>(() => new ShapesWorldDataset(1, identifier: "dog"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShapesWorldDataset(1).Describe(-1));
    }

    [Fact]
    public void Rendering_is_fast_enough_for_pretraining()
    {
        var dataset = new ShapesWorldDataset(11);
        var pixels = new byte[64 * 64 * 4];
        for (int i = 0; i < 300; i++) SceneRenderer.RenderRgba(dataset.Describe(i).Scene, 64, pixels);

        const int count = 3000;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++) SceneRenderer.RenderRgba(dataset.Describe(i).Scene, 64, pixels);
        double rendered = count / clock.Elapsed.TotalSeconds;
        clock.Restart();
        for (int i = 0; i < count; i++) dataset.Get(i).Dispose();
        double samples = count / clock.Elapsed.TotalSeconds;

        output.WriteLine($"64×64 on one thread: {rendered:F0} scenes/s rendered to bytes, {samples:F0} samples/s as bitmaps with captions");
        // Far below what the renderer does; only catches a drastic slowdown, even on a busy machine.
        Assert.True(rendered > 300, $"{rendered:F0} renders/s");
    }
}
