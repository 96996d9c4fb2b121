namespace DiffusionTune.Workflows.Comparison;

/// <summary>What a comparison produced.</summary>
/// <param name="GridPath">The labelled grid, or null when no cell has an image (or the cells differ in size).</param>
/// <param name="ManifestPath">The JSON description of rows, columns and cells.</param>
/// <param name="Cells">Every cell, row by row.</param>
public sealed record ComparisonResult(string? GridPath, string ManifestPath, IReadOnlyList<ComparisonCell> Cells)
{
    public IEnumerable<ComparisonCell> Failures => Cells.Where(c => c.Status == CellStatus.Failed);
}
