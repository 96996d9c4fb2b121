using DiffusionTune.IO;
using DiffusionTune.IO.Images;
using SkiaSharp;

namespace DiffusionTune.Tests.Images;

public class ImageLoaderTests
{
    [Theory]
    [InlineData("png", 0)]
    [InlineData("jpeg", 12)]
    [InlineData("webp", 12)]
    [InlineData("bmp", 0)]
    public void Loads_each_format_as_opaque_rgba(string format, int tolerance)
    {
        using var folder = new ScratchFolder();
        using var original = TestImages.Quadrants(32, 16);
        var bytes = format switch
        {
            "png" => TestImages.Encode(original, SKEncodedImageFormat.Png),
            "jpeg" => TestImages.Encode(original, SKEncodedImageFormat.Jpeg),
            "webp" => TestImages.Encode(original, SKEncodedImageFormat.Webp),
            _ => TestImages.Bmp(original),
        };
        var path = folder.File($"image.{format}");
        File.WriteAllBytes(path, bytes);

        using var loaded = ImageLoader.LoadRgb(path);

        Assert.Equal((32, 16), (loaded.Width, loaded.Height));
        Assert.Equal(SKColorType.Rgba8888, loaded.ColorType);
        Assert.Equal(SKAlphaType.Opaque, loaded.AlphaType);
        AssertQuadrants(loaded, tolerance);
    }

    [Fact]
    public void Loads_the_first_frame_of_an_animated_gif()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("animated.gif");
        File.WriteAllBytes(path, TestImages.Gif(6, 4, [SKColors.Red, SKColors.Lime, SKColors.Blue, SKColors.White], 2, 1));

        using var loaded = ImageLoader.LoadRgb(path);

        Assert.Equal((6, 4), (loaded.Width, loaded.Height));
        Assert.All(Pixels(loaded), pixel => Assert.Equal(SKColors.Blue, pixel));
    }

    [Fact]
    public void Composites_transparency_over_white()
    {
        using var folder = new ScratchFolder();
        using var translucent = new SKBitmap(new SKImageInfo(3, 1, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        translucent.SetPixel(0, 0, new SKColor(0, 0, 0, 0));
        translucent.SetPixel(1, 0, new SKColor(0, 0, 0, 128));
        translucent.SetPixel(2, 0, new SKColor(200, 100, 50, 255));
        var path = folder.File("alpha.png");
        File.WriteAllBytes(path, TestImages.Encode(translucent, SKEncodedImageFormat.Png));

        using var rgb = ImageLoader.LoadRgb(path);
        using var rgba = ImageLoader.LoadRgba(path);

        Assert.Equal(SKAlphaType.Opaque, rgb.AlphaType);
        Assert.Equal(new SKColor(255, 255, 255), rgb.GetPixel(0, 0));
        Assert.Equal(new SKColor(127, 127, 127), rgb.GetPixel(1, 0)); // 255·(1 − 128/255) = 127
        Assert.Equal(new SKColor(200, 100, 50), rgb.GetPixel(2, 0));
        Assert.Equal(SKAlphaType.Unpremul, rgba.AlphaType);
        Assert.Equal(128, rgba.GetPixel(1, 0).Alpha);
    }

    [Theory]
    [InlineData(1, 32, 16)]
    [InlineData(3, 32, 16)]
    [InlineData(6, 16, 32)]
    [InlineData(8, 16, 32)]
    public void Turns_a_jpeg_upright_as_its_exif_orientation_says(int orientation, int width, int height)
    {
        using var folder = new ScratchFolder();
        using var stored = TestImages.Quadrants(32, 16);
        var path = folder.File("photo.jpg");
        File.WriteAllBytes(path, TestImages.JpegWithOrientation(stored, orientation));

        using var loaded = ImageLoader.LoadRgb(path);

        Assert.Equal((width, height), (loaded.Width, loaded.Height));
        // Where the stored quadrants are seen: the stored top-left (red) quadrant lands in the corner named by the tag.
        var (topLeft, topRight, bottomLeft, bottomRight) = orientation switch
        {
            1 => (SKColors.Red, SKColors.Lime, SKColors.Blue, SKColors.White),
            3 => (SKColors.White, SKColors.Blue, SKColors.Lime, SKColors.Red),
            6 => (SKColors.Blue, SKColors.Red, SKColors.White, SKColors.Lime),
            _ => (SKColors.Lime, SKColors.White, SKColors.Red, SKColors.Blue),
        };
        AssertNear(topLeft, loaded.GetPixel(width / 4, height / 4), 12);
        AssertNear(topRight, loaded.GetPixel(3 * width / 4, height / 4), 12);
        AssertNear(bottomLeft, loaded.GetPixel(width / 4, 3 * height / 4), 12);
        AssertNear(bottomRight, loaded.GetPixel(3 * width / 4, 3 * height / 4), 12);
    }

    [Theory]
    // For each EXIF orientation: where the first stored pixel is seen, and which way the stored first row runs.
    [InlineData(SKEncodedOrigin.TopLeft, 0, 0, 1, 0)]
    [InlineData(SKEncodedOrigin.TopRight, 2, 0, -1, 0)]
    [InlineData(SKEncodedOrigin.BottomRight, 2, 1, -1, 0)]
    [InlineData(SKEncodedOrigin.BottomLeft, 0, 1, 1, 0)]
    [InlineData(SKEncodedOrigin.LeftTop, 0, 0, 0, 1)]
    [InlineData(SKEncodedOrigin.RightTop, 1, 0, 0, 1)]
    [InlineData(SKEncodedOrigin.RightBottom, 1, 2, 0, -1)]
    [InlineData(SKEncodedOrigin.LeftBottom, 0, 2, 0, -1)]
    public void Maps_every_exif_orientation(SKEncodedOrigin origin, int firstX, int firstY, int rowStepX, int rowStepY)
    {
        using var stored = new SKBitmap(new SKImageInfo(3, 2, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
                stored.SetPixel(x, y, new SKColor((byte)(x * 50), (byte)(y * 50), 7));

        using var upright = ExifOrientation.Apply(stored, origin);

        bool swapped = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        Assert.Equal(swapped ? (2, 3) : (3, 2), (upright.Width, upright.Height));
        Assert.Equal(stored.GetPixel(0, 0), upright.GetPixel(firstX, firstY));
        Assert.Equal(stored.GetPixel(1, 0), upright.GetPixel(firstX + rowStepX, firstY + rowStepY));
        Assert.Equal(stored.GetPixel(2, 0), upright.GetPixel(firstX + 2 * rowStepX, firstY + 2 * rowStepY));
        Assert.Equal(
            Pixels(stored).Select(c => (uint)c).Order(),
            Pixels(upright).Select(c => (uint)c).Order());
    }

    [Fact]
    public void A_truncated_png_is_reported_as_truncated_with_the_file_name()
    {
        using var folder = new ScratchFolder();
        using var noise = TestImages.Noise(64, 64, seed: 1);
        var png = TestImages.Encode(noise, SKEncodedImageFormat.Png);
        var path = folder.File("cut.png");
        File.WriteAllBytes(path, png[..(png.Length / 2)]);

        var error = Assert.Throws<ImageFileException>(() => ImageLoader.LoadRgb(path));

        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_png_with_corrupt_image_data_is_reported_with_the_file_name()
    {
        using var folder = new ScratchFolder();
        using var noise = TestImages.Noise(64, 64, seed: 2);
        var png = TestImages.Encode(noise, SKEncodedImageFormat.Png);
        for (int i = png.Length / 3; i < png.Length - 20; i += 7) png[i] ^= 0x5A;
        var path = folder.File("corrupt.png");
        File.WriteAllBytes(path, png);

        var error = Assert.Throws<ImageFileException>(() => ImageLoader.LoadRgb(path));

        Assert.StartsWith(path + ": ", error.Message);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("name,prompt\ncat.png,a cat\n", "not an image")]
    [InlineData("\u0089PNG\r\n\u001a\n\0\0", "truncated")]
    public void Files_that_are_no_image_say_so(string content, string expectedProblem)
    {
        using var folder = new ScratchFolder();
        var path = folder.File("bad.png");
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(content));

        var error = Assert.Throws<ImageFileException>(() => ImageLoader.LoadRgb(path));

        Assert.Contains(path, error.Message);
        Assert.Contains(expectedProblem, error.Problem);
        Assert.IsAssignableFrom<ModelFileException>(error);
    }

    [Fact]
    public void A_missing_file_is_reported()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("absent.jpg");

        var error = Assert.Throws<ImageFileException>(() => ImageLoader.LoadRgba(path));

        Assert.Equal($"{path}: file not found", error.Message);
    }

    static void AssertQuadrants(SKBitmap bitmap, int tolerance)
    {
        for (int y = 0; y < bitmap.Height; y++)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                // JPEG and lossy WebP blur the borders between quadrants; compare away from them.
                bool nearBorder = Math.Abs(2 * x + 1 - bitmap.Width) < 6 || Math.Abs(2 * y + 1 - bitmap.Height) < 6;
                if (tolerance > 0 && nearBorder) continue;
                AssertNear(TestImages.QuadrantColor(x < bitmap.Width / 2, y < bitmap.Height / 2), bitmap.GetPixel(x, y), tolerance);
            }
        }
    }

    static void AssertNear(SKColor expected, SKColor actual, int tolerance)
    {
        bool near = Math.Abs(expected.Red - actual.Red) <= tolerance
            && Math.Abs(expected.Green - actual.Green) <= tolerance
            && Math.Abs(expected.Blue - actual.Blue) <= tolerance
            && actual.Alpha == 255;
        Assert.True(near, $"expected {expected} within {tolerance}, got {actual}");
    }

    static IEnumerable<SKColor> Pixels(SKBitmap bitmap) => bitmap.Pixels;
}
