using SkiaSharp;

namespace DiffusionTune.IO.Images;

/// <summary>How <see cref="ImageGrid"/> spaces and labels a contact sheet.</summary>
public sealed record ImageGridOptions
{
    /// <summary>Pixels of background between cells and around the outside.</summary>
    public int Margin { get; init; } = 4;

    /// <summary>One label per row, drawn to the left of it; null for none.</summary>
    public IReadOnlyList<string>? RowLabels { get; init; }

    /// <summary>One label per column, drawn above it (wrapped onto more lines when wider than a cell, never shortened); null for none.</summary>
    public IReadOnlyList<string>? ColumnLabels { get; init; }

    /// <summary>Screen pixels per font pixel of <see cref="BitmapFont"/>.</summary>
    public int LabelScale { get; init; } = 2;

    public SKColor Background { get; init; } = SKColors.White;

    public SKColor LabelColor { get; init; } = SKColors.Black;
}
