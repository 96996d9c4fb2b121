using DiffusionTune.IO.Images;
using SkiaSharp;

namespace DiffusionTune.Tests.Images;

public class ImageGridTests
{
    [Fact]
    public void Lays_out_cells_with_margins_and_no_labels()
    {
        SKColor[] colors = [SKColors.Red, SKColors.Lime, SKColors.Blue, SKColors.Yellow, SKColors.Cyan];
        var images = colors.Select(c => TestImages.Solid(20, 10, c)).ToList();

        using var sheet = ImageGrid.Compose(images, columns: 3, new ImageGridOptions { Margin = 2 });

        // 3 columns × 2 rows of 20×10 with 2 px around and between.
        Assert.Equal((2 + 3 * 22, 2 + 2 * 12), (sheet.Width, sheet.Height));
        for (int i = 0; i < colors.Length; i++)
        {
            int left = 2 + (i % 3) * 22, top = 2 + (i / 3) * 12;
            Assert.Equal(colors[i], sheet.GetPixel(left, top));
            Assert.Equal(colors[i], sheet.GetPixel(left + 19, top + 9));
            Assert.Equal(SKColors.White, sheet.GetPixel(left - 1, top));
        }
        Assert.Equal(SKColors.White, sheet.GetPixel(2 + 2 * 22 + 10, 2 + 12 + 5)); // the empty sixth cell
        images.ForEach(i => i.Dispose());
    }

    [Fact]
    public void Column_labels_wider_than_a_cell_wrap_onto_more_lines_and_are_never_shortened()
    {
        string[] labels = ["dreambooth step 250", "dreambooth step 500", "x"];
        var wrapped = labels.Select(label => ImageGridLayout.WrapLabel(label, 40, 1)).ToList();

        foreach (var (label, lines) in labels.Zip(wrapped))
        {
            Assert.All(lines, line => Assert.True(BitmapFont.Measure(line, 1).Width <= 40, line));
            Assert.Equal(label.Replace(" ", ""), string.Concat(lines).Replace(" ", ""));
        }
        Assert.True(wrapped[0].Count > 1);
        Assert.NotEqual(wrapped[0], wrapped[1]);
        Assert.Equal(new[] { "x" }, wrapped[2]);
        // A word wider than the cell is cut inside, not dropped.
        Assert.Equal("abcdefghijklmnop", string.Concat(ImageGridLayout.WrapLabel("abcdefghijklmnop", 20, 1)));

        var images = Enumerable.Range(0, 3).Select(i => TestImages.Noise(40, 40, seed: i)).ToList();
        var options = new ImageGridOptions { ColumnLabels = labels, LabelScale = 1 };
        using var sheet = ImageGrid.Compose(images, columns: 3, options);
        var layout = ImageGridLayout.For(3, 3, 40, 40, options);
        Assert.Equal(wrapped.Max(l => l.Count) * ImageGridLayout.LinePitch(1) - 1 + 2 * ImageGridLayout.LabelPadding(1), layout.ColumnLabelHeight);
        Assert.Equal(layout.Height, sheet.Height);
        // The last line of the first label is drawn: there is ink in the header's bottom line band over the first cell.
        Assert.True(CountInk(sheet, new SKRectI(0, layout.ColumnLabelHeight - ImageGridLayout.LinePitch(1) - 2, layout.CellOrigin(0, 1).X, layout.ColumnLabelHeight)) > 5);
        images.ForEach(i => i.Dispose());
    }

    [Fact]
    public void Labels_add_a_header_strip_and_a_left_strip_with_ink_in_them()
    {
        var images = Enumerable.Range(0, 4).Select(i => TestImages.Noise(64, 64, seed: i)).ToList();
        // Column labels that fit their 64-pixel cells at scale 2: one line of header.
        var options = new ImageGridOptions { RowLabels = ["cat", "a dog"], ColumnLabels = ["s 1", "s 2"], LabelScale = 2 };

        using var sheet = ImageGrid.Compose(images, columns: 2, options);
        var layout = ImageGridLayout.For(4, 2, 64, 64, options);

        int lineHeight = BitmapFont.GlyphHeight * 2, padding = 4;
        Assert.Equal(lineHeight + 2 * padding, layout.ColumnLabelHeight);
        Assert.Equal(BitmapFont.Measure("a dog", 2).Width + 2 * padding, layout.RowLabelWidth);
        Assert.Equal((layout.Width, layout.Height), (sheet.Width, sheet.Height));
        Assert.Equal(layout.RowLabelWidth + 4 + 2 * 68, sheet.Width);
        Assert.Equal(layout.ColumnLabelHeight + 4 + 2 * 68, sheet.Height);
        var origin = layout.CellOrigin(1, 1);
        Assert.Equal(images[3].GetPixel(0, 0), sheet.GetPixel(origin.X, origin.Y));
        Assert.True(CountInk(sheet, new SKRectI(layout.RowLabelWidth, 0, sheet.Width, layout.ColumnLabelHeight)) > 50);
        Assert.True(CountInk(sheet, new SKRectI(0, layout.ColumnLabelHeight, layout.RowLabelWidth, sheet.Height)) > 50);
        images.ForEach(i => i.Dispose());
    }

    [Fact]
    public void Label_counts_must_match_the_grid()
    {
        var images = Enumerable.Range(0, 3).Select(_ => TestImages.Solid(4, 4, SKColors.Gray)).ToList();

        Assert.Throws<ArgumentException>(() => ImageGrid.Compose(images, 3, new ImageGridOptions { ColumnLabels = ["one"] }));
        Assert.Throws<ArgumentException>(() => ImageGrid.Compose(images, 2, new ImageGridOptions { RowLabels = ["one"] }));
        Assert.Throws<ArgumentException>(() => ImageGrid.Compose([images[0], TestImages.Solid(5, 4, SKColors.Gray)], 2));
        images.ForEach(i => i.Dispose());
    }

    [Fact]
    public void Every_ascii_glyph_and_the_labels_extra_characters_have_ink_except_space()
    {
        foreach (var c in Enumerable.Range('!', '~' - '!' + 1).Select(i => (char)i).Concat("·×…–—"))
        {
            Assert.True(BitmapFont.CanDraw(c), $"'{c}' has no glyph");
            var size = BitmapFont.Measure(c.ToString(), 1);
            using var bitmap = TestImages.Solid(size.Width, size.Height, SKColors.White);
            using (var canvas = new SKCanvas(bitmap)) BitmapFont.Draw(canvas, c.ToString(), 0, 0, 1, SKColors.Black);
            Assert.True(CountInk(bitmap, new SKRectI(0, 0, size.Width, size.Height)) > 0, $"'{c}' draws nothing");
        }
    }

    [Fact]
    public void A_middle_dot_is_drawn_as_itself_not_as_a_question_mark()
    {
        var size = BitmapFont.Measure("·", 1);
        using var dot = TestImages.Solid(size.Width, size.Height, SKColors.White);
        using (var canvas = new SKCanvas(dot)) BitmapFont.Draw(canvas, "·", 0, 0, 1, SKColors.Black);
        // One pixel of ink: the dot, where a '?' has nine.
        Assert.Equal(1, CountInk(dot, new SKRectI(0, 0, size.Width, size.Height)));
        Assert.False(BitmapFont.CanDraw('é'));
    }

    static int CountInk(SKBitmap bitmap, SKRectI area)
    {
        int ink = 0;
        for (int y = area.Top; y < area.Bottom; y++)
            for (int x = area.Left; x < area.Right; x++)
                if (bitmap.GetPixel(x, y).Red < 64) ink++;
        return ink;
    }
}
