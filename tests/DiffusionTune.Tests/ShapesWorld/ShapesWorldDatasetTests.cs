using DiffusionTune.ShapesWorld;

namespace DiffusionTune.Tests.ShapesWorld;

public class ShapesWorldDatasetTests
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
}
