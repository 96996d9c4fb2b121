using SkiaSharp;

namespace DiffusionTune.IO.Images;

/// <summary>Where everything goes on a contact sheet of equally sized cells; <see cref="ImageGrid"/> draws it.</summary>
public sealed record ImageGridLayout
{
    public required int Rows { get; init; }

    public required int Columns { get; init; }

    public required int CellWidth { get; init; }

    public required int CellHeight { get; init; }

    public required int Margin { get; init; }

    /// <summary>Width of the row-label strip on the left (0 without row labels).</summary>
    public required int RowLabelWidth { get; init; }

    /// <summary>Height of the column-label strip on top (0 without column labels).</summary>
    public required int ColumnLabelHeight { get; init; }

    public int Width => RowLabelWidth + Margin + Columns * (CellWidth + Margin);

    public int Height => ColumnLabelHeight + Margin + Rows * (CellHeight + Margin);

    /// <summary>The top-left corner of the cell in <paramref name="row"/>, <paramref name="column"/>.</summary>
    public SKPointI CellOrigin(int row, int column) =>
        new(RowLabelWidth + Margin + column * (CellWidth + Margin), ColumnLabelHeight + Margin + row * (CellHeight + Margin));

    /// <summary>Padding between a label and the strip's edges, proportional to the label size.</summary>
    public static int LabelPadding(int labelScale) => 2 * labelScale;

    /// <summary>The distance from one line of a wrapped column label to the next: a glyph's height and one scaled pixel.</summary>
    public static int LinePitch(int labelScale) => BitmapFont.Measure("", labelScale).Height + labelScale;

    /// <summary>
    /// <paramref name="label"/> broken into lines that each fit <paramref name="width"/> pixels: at spaces where it can,
    /// inside a word wider than the cell. Never shortened, so labels that differ stay different on the sheet.
    /// </summary>
    public static IReadOnlyList<string> WrapLabel(string label, int width, int labelScale)
    {
        bool Fits(string text) => BitmapFont.Measure(text, labelScale).Width <= width;
        var lines = new List<string>();
        var line = "";
        foreach (var word in label.Split(' '))
        {
            var joined = line.Length == 0 ? word : $"{line} {word}";
            if (Fits(joined))
            {
                line = joined;
                continue;
            }
            if (line.Length > 0) lines.Add(line);
            line = word;
            while (line.Length > 1 && !Fits(line))
            {
                int keep = line.Length - 1;
                while (keep > 1 && !Fits(line[..keep])) keep--;
                lines.Add(line[..keep]);
                line = line[keep..];
            }
        }
        lines.Add(line);
        return lines;
    }

    /// <summary>The layout for <paramref name="count"/> cells of <paramref name="cellWidth"/>×<paramref name="cellHeight"/> in <paramref name="columns"/> columns.</summary>
    public static ImageGridLayout For(int count, int columns, int cellWidth, int cellHeight, ImageGridOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Margin);
        int rows = (count + columns - 1) / columns;
        if (options.ColumnLabels is { } columnLabels && columnLabels.Count != columns)
            throw new ArgumentException($"{columnLabels.Count} column labels for {columns} columns", nameof(options));
        if (options.RowLabels is { } rowLabels && rowLabels.Count != rows)
            throw new ArgumentException($"{rowLabels.Count} row labels for {rows} rows", nameof(options));

        int padding = LabelPadding(options.LabelScale);
        return new ImageGridLayout
        {
            Rows = rows,
            Columns = columns,
            CellWidth = cellWidth,
            CellHeight = cellHeight,
            Margin = options.Margin,
            RowLabelWidth = options.RowLabels is { } labels
                ? labels.Max(label => BitmapFont.Measure(label, options.LabelScale).Width) + 2 * padding
                : 0,
            // As many lines as the longest wrapped label needs (one line: a glyph's height).
            ColumnLabelHeight = options.ColumnLabels is { } wrapped
                ? wrapped.Max(label => WrapLabel(label, cellWidth, options.LabelScale).Count) * LinePitch(options.LabelScale) - options.LabelScale + 2 * padding
                : 0,
        };
    }
}
