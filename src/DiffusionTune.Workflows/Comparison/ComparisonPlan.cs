using DiffusionTune.Workflows.Generation;

namespace DiffusionTune.Workflows.Comparison;

/// <summary>What a comparison generates: every row in every column, with the same sampling settings throughout.</summary>
public sealed record ComparisonPlan
{
    public required IReadOnlyList<ComparisonColumn> Columns { get; init; }

    public required IReadOnlyList<ComparisonRow> Rows { get; init; }

    /// <summary>The folder for the cell images, the grid and the manifest; existing cell images are reused.</summary>
    public required string Output { get; init; }

    /// <summary>A folder of textual-inversion embeddings loaded into every model, or null.</summary>
    public string? Embeddings { get; init; }

    /// <summary>How every cell is sampled (a prompt file's per-prompt fields override it) and how the models are read.</summary>
    public SamplingSettings Sampling { get; init; } = new();
}
