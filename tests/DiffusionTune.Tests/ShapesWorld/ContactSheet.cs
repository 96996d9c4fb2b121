using SkiaSharp;

namespace DiffusionTune.Tests.ShapesWorld;

/// <summary>Lays images out on a grid (enlarged by whole pixels, no smoothing) and saves it as a PNG, for looking at.</summary>
static class ContactSheet
{
    const int Gap = 4;

    public static void Save(string path, IReadOnlyList<SKBitmap> images, int columns, int scale)
    {
        int cell = images[0].Width * scale;
        int rows = (images.Count + columns - 1) / columns;
        using var sheet = new SKBitmap(columns * (cell + Gap) + Gap, rows * (cell + Gap) + Gap);
        using (var canvas = new SKCanvas(sheet))
        {
            canvas.Clear(new SKColor(128, 128, 128));
            using var paint = new SKPaint { FilterQuality = SKFilterQuality.None };
            for (int i = 0; i < images.Count; i++)
            {
                using var image = SKImage.FromBitmap(images[i]);
                var target = SKRect.Create(Gap + i % columns * (cell + Gap), Gap + i / columns * (cell + Gap), cell, cell);
                canvas.DrawImage(image, target, paint);
            }
        }
        using var png = sheet.Encode(SKEncodedImageFormat.Png, 100);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, png.ToArray());
    }
}
