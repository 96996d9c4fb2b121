using SkiaSharp;

namespace DiffusionTune.IO.Images;

/// <summary>
/// Composes equally sized images into a labelled contact sheet, row by row, e.g. one row per prompt and one column
/// per seed or training step.
/// </summary>
public static class ImageGrid
{
    /// <summary>
    /// Places <paramref name="images"/> left to right, top to bottom in <paramref name="columns"/> columns; a last row
    /// that is not full stays background. The result is a new RGBA8888 bitmap of <see cref="ImageGridLayout"/>'s size.
    /// </summary>
    public static SKBitmap Compose(IReadOnlyList<SKBitmap> images, int columns, ImageGridOptions? options = null)
    {
        options ??= new ImageGridOptions();
        if (images.Count == 0) throw new ArgumentException("no images to compose", nameof(images));
        int cellWidth = images[0].Width, cellHeight = images[0].Height;
        for (int i = 1; i < images.Count; i++)
        {
            if (images[i].Width != cellWidth || images[i].Height != cellHeight)
                throw new ArgumentException($"image {i} is {images[i].Width}x{images[i].Height}, the first is {cellWidth}x{cellHeight}", nameof(images));
        }
        var layout = ImageGridLayout.For(images.Count, columns, cellWidth, cellHeight, options);

        var alpha = options.Background.Alpha == 255 ? SKAlphaType.Opaque : SKAlphaType.Premul;
        var sheet = new SKBitmap(new SKImageInfo(layout.Width, layout.Height, SKColorType.Rgba8888, alpha));
        using var canvas = new SKCanvas(sheet);
        canvas.Clear(options.Background);
        for (int i = 0; i < images.Count; i++)
        {
            var origin = layout.CellOrigin(i / columns, i % columns);
            canvas.DrawBitmap(images[i], origin.X, origin.Y);
        }
        DrawLabels(canvas, layout, options);
        canvas.Flush();
        return sheet;
    }

    static void DrawLabels(SKCanvas canvas, ImageGridLayout layout, ImageGridOptions options)
    {
        int scale = options.LabelScale;
        int padding = ImageGridLayout.LabelPadding(scale);
        int lineHeight = BitmapFont.Measure("", scale).Height;
        if (options.ColumnLabels is { } columnLabels)
        {
            for (int column = 0; column < layout.Columns; column++)
            {
                var lines = ImageGridLayout.WrapLabel(columnLabels[column], layout.CellWidth, scale);
                for (int line = 0; line < lines.Count; line++)
                {
                    int left = layout.CellOrigin(0, column).X + (layout.CellWidth - BitmapFont.Measure(lines[line], scale).Width) / 2;
                    BitmapFont.Draw(canvas, lines[line], left, padding + line * ImageGridLayout.LinePitch(scale), scale, options.LabelColor);
                }
            }
        }
        if (options.RowLabels is { } rowLabels)
        {
            for (int row = 0; row < layout.Rows; row++)
            {
                int top = layout.CellOrigin(row, 0).Y + (layout.CellHeight - lineHeight) / 2;
                BitmapFont.Draw(canvas, rowLabels[row], padding, top, scale, options.LabelColor);
            }
        }
    }
}
