using DiffusionTune.IO.Images;
using DiffusionTune.Workflows.Reporting;
using SkiaSharp;

namespace DiffusionTune.Workflows.Comparison;

/// <summary>Draws a comparison's cells as one labelled PNG: column headings over the top, row labels down the left.</summary>
public static class ComparisonGrid
{
    public const string FileName = "grid.png";

    /// <summary>
    /// Writes the grid of every cell image (a grey cell where one failed) into <paramref name="folder"/>; null when
    /// there is no image or the images differ in size (per-prompt sizes, or models of different native sizes).
    /// </summary>
    public static string? Write(ComparisonPlan plan, IReadOnlyList<ComparisonCell> cells, string folder, IWorkflowReporter reporter)
    {
        var bitmaps = new List<SKBitmap?>();
        try
        {
            foreach (var cell in cells)
                bitmaps.Add(cell.Status == CellStatus.Failed ? null : ImageLoader.LoadRgb(cell.Path));
            var first = bitmaps.FirstOrDefault(b => b is not null);
            if (first is null) return null;
            if (bitmaps.Any(b => b is not null && (b.Width != first.Width || b.Height != first.Height)))
            {
                reporter.Warning("no grid: the images differ in size");
                return null;
            }
            using var placeholder = new SKBitmap(first.Width, first.Height);
            placeholder.Erase(SKColors.LightGray);
            var options = new ImageGridOptions
            {
                ColumnLabels = plan.Columns.Select(c => c.Label).ToList(),
                RowLabels = plan.Rows.Select(r => r.Label).ToList(),
                // Small cells get the small font, so that column labels fit over them.
                LabelScale = first.Width < 128 ? 1 : 2,
            };
            using var grid = ImageGrid.Compose(bitmaps.Select(b => b ?? placeholder).ToList(), plan.Columns.Count, options);
            var path = Path.Combine(folder, FileName);
            PngWriter.Write(path, grid, overwrite: true);
            return path;
        }
        finally
        {
            foreach (var bitmap in bitmaps) bitmap?.Dispose();
        }
    }
}
