using DiffusionTune.IO.Images;
using SkiaSharp;

namespace DiffusionTune.Tests.Images;

public class ImageTransformsTests
{
    [Theory]
    [InlineData(1024, 768, 512, 512, 683, 512)]
    [InlineData(768, 1024, 512, 512, 512, 683)]
    [InlineData(300, 200, 512, 512, 768, 512)]
    [InlineData(640, 480, 640, 480, 640, 480)]
    [InlineData(1000, 10, 64, 64, 6400, 64)]
    public void The_cover_size_keeps_the_aspect_ratio_and_covers_the_target(int sourceWidth, int sourceHeight, int width, int height, int coverWidth, int coverHeight)
    {
        var cover = ImageTransforms.CoverSize(sourceWidth, sourceHeight, width, height);

        Assert.Equal(new SKSizeI(coverWidth, coverHeight), cover);
    }

    [Fact]
    public void Resize_and_centre_crop_gives_the_target_size_and_the_middle_of_the_image()
    {
        // A wide image: left third red, middle third green, right third blue.
        using var source = new SKBitmap(new SKImageInfo(300, 100, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(source))
        {
            canvas.Clear(SKColors.Red);
            canvas.DrawRect(100, 0, 100, 100, new SKPaint { Color = SKColors.Lime });
            canvas.DrawRect(200, 0, 100, 100, new SKPaint { Color = SKColors.Blue });
        }

        using var cropped = ImageTransforms.ResizeAndCenterCrop(source, 64, 64);

        Assert.Equal((64, 64), (cropped.Width, cropped.Height));
        Assert.Equal(SKAlphaType.Opaque, cropped.AlphaType);
        // The crop is exactly the green third; only its outermost columns pick up a little of the neighbours.
        for (int y = 0; y < 64; y++)
        {
            for (int x = 0; x < 64; x++)
            {
                var pixel = cropped.GetPixel(x, y);
                if (x is >= 4 and < 60) Assert.Equal(SKColors.Lime, pixel);
                else Assert.True(pixel.Green > 200, $"({x}, {y}) is {pixel}");
            }
        }
    }

    [Fact]
    public void Crops_at_the_offsets_the_caller_gives()
    {
        using var source = TestImages.Quadrants(40, 20);

        // 40x20 already covers 10x20, so this is a plain crop of the rightmost ten columns.
        using var crop = ImageTransforms.ResizeAndCrop(source, 10, 20, left: 30, top: 0);

        Assert.Equal((10, 20), (crop.Width, crop.Height));
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 10; x++)
                Assert.Equal(y < 10 ? SKColors.Lime : SKColors.White, crop.GetPixel(x, y));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageTransforms.Crop(source, 35, 0, 10, 10));
    }

    [Fact]
    public void Flips_left_to_right()
    {
        using var source = TestImages.Noise(7, 3, seed: 5);

        using var flipped = ImageTransforms.FlipHorizontal(source);

        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 7; x++)
                Assert.Equal(source.GetPixel(6 - x, y), flipped.GetPixel(x, y));
    }

    [Fact]
    public void Resizing_keeps_flat_colour_exact_and_averages_fine_detail_away()
    {
        using var flat = TestImages.Solid(97, 61, new SKColor(12, 200, 77));
        using var checkerboard = new SKBitmap(new SKImageInfo(256, 256, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < 256; y++)
            for (int x = 0; x < 256; x++)
                checkerboard.SetPixel(x, y, (x + y) % 2 == 0 ? SKColors.Black : SKColors.White);

        using var flatResized = ImageTransforms.Resize(flat, 40, 150);
        using var checkerResized = ImageTransforms.Resize(checkerboard, 32, 32);

        Assert.All(flatResized.Pixels, pixel => Assert.Equal(new SKColor(12, 200, 77), pixel));
        // An antialiased reduction turns a one-pixel checkerboard into flat mid-grey instead of aliasing it.
        Assert.All(checkerResized.Pixels, pixel => Assert.InRange((int)pixel.Red, 124, 131));
    }

    [Fact]
    public void Resizing_a_translucent_image_does_not_bleed_hidden_colour()
    {
        // Fully transparent red beside opaque blue: the blue edge must not turn purple.
        using var source = new SKBitmap(new SKImageInfo(8, 8, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
                source.SetPixel(x, y, x < 4 ? new SKColor(255, 0, 0, 0) : new SKColor(0, 0, 255, 255));

        using var resized = ImageTransforms.Resize(source, 4, 4);

        var edge = resized.GetPixel(2, 2);
        Assert.True(edge.Alpha > 0);
        Assert.True(edge.Red < 4, $"hidden red bled into {edge}");
    }
}
