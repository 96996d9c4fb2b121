using DiffusionTune.IO.Images;
using SkiaSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Images;

public class ImageTensorsTests
{
    [Fact]
    public void A_bitmap_becomes_channels_first_rgb_in_minus_one_to_one()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(2, 1, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.SetPixel(0, 0, new SKColor(0, 255, 51));
        bitmap.SetPixel(1, 0, new SKColor(128, 1, 254));

        using var tensor = ImageTensors.ToTensor(bitmap);

        Assert.Equal(new long[] { 3, 1, 2 }, tensor.shape);
        Assert.Equal(ScalarType.Float32, tensor.dtype);
        var values = tensor.data<float>().ToArray();
        float[] expected = [0, 128, 255, 1, 51, 254];
        for (int i = 0; i < 6; i++)
            Assert.Equal(expected[i] / 255f * 2f - 1f, values[i], 6);
    }

    [Fact]
    public void Tensor_to_png_to_tensor_round_trips_every_8_bit_value_exactly()
    {
        using var folder = new ScratchFolder();
        using var scope = NewDisposeScope();
        // All 256 levels in every channel, in a different order per channel.
        var levels = arange(256, ScalarType.Float32);
        var image = stack([levels, levels.flip(0), levels.roll(97)]).reshape(3, 16, 16) / 255f * 2f - 1f;

        using var bitmap = ImageTensors.ToBitmap(image);
        var path = folder.File("levels.png");
        PngWriter.Write(path, bitmap);
        using var loaded = ImageLoader.LoadRgb(path);
        var back = ImageTensors.ToTensor(loaded);

        Assert.Equal(image.shape, back.shape);
        Assert.True(back.eq(image).all().item<bool>(), "the reloaded tensor differs from the original");
    }

    [Fact]
    public void Tensors_are_clamped_and_rounded_as_diffusers_does()
    {
        using var scope = NewDisposeScope();
        // (x/2 + 0.5)·255 = 127.5 rounds half to even (128), 0.4 → 0, values outside [-1, 1] clamp.
        var image = tensor(new float[] { -3f, 1.5f, 0f, 2f * 0.4f / 255f - 1f, -1f, 1f }).reshape(3, 1, 2);

        using var bitmap = ImageTensors.ToBitmap(image);

        Assert.Equal(new SKColor(0, 128, 0), bitmap.GetPixel(0, 0));
        Assert.Equal(new SKColor(255, 0, 255), bitmap.GetPixel(1, 0));
        Assert.Equal(SKAlphaType.Opaque, bitmap.AlphaType);
    }

    [Fact]
    public void Batches_convert_both_ways()
    {
        using var scope = NewDisposeScope();
        using var first = TestImages.Noise(5, 4, seed: 3);
        using var second = TestImages.Noise(5, 4, seed: 4);

        var batch = ImageTensors.ToBatch([first, second]);
        var bitmaps = ImageTensors.ToBitmaps(batch.to(ScalarType.Float64));

        Assert.Equal(new long[] { 2, 3, 4, 5 }, batch.shape);
        Assert.True(ImageTensors.ToTensor(second).eq(batch[1]).all().item<bool>());
        Assert.Equal(2, bitmaps.Length);
        Assert.Equal(first.Pixels, bitmaps[0].Pixels);
        Assert.Equal(second.Pixels, bitmaps[1].Pixels);
        foreach (var bitmap in bitmaps) bitmap.Dispose();
    }

    [Fact]
    public void Mismatched_sizes_and_shapes_are_refused()
    {
        using var small = TestImages.Solid(2, 2, SKColors.Red);
        using var large = TestImages.Solid(3, 2, SKColors.Red);
        using var wrongChannels = zeros(4, 8, 8);

        Assert.Throws<ArgumentException>(() => ImageTensors.ToBatch([small, large]));
        Assert.Throws<ArgumentException>(() => ImageTensors.ToBitmaps(wrongChannels));
    }
}
