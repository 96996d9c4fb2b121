namespace DiffusionTune.Workflows.Comparison;

/// <summary>One column of a comparison grid: a model, optionally with an adapter applied at a strength.</summary>
/// <param name="Label">Its heading in the grid.</param>
/// <param name="Model">A diffusers folder or a single-file checkpoint.</param>
/// <param name="Adapter">The LoRA or hypernetwork applied to it, or null for the model alone.</param>
/// <param name="Setting">The sampling setting its cells override (<c>--x cfg:5,7</c>), or null.</param>
public sealed record ComparisonColumn(string Label, string Model, ComparisonAdapter? Adapter, ComparisonSetting? Setting = null)
{
    /// <summary>What <paramref name="row"/> becomes in this column: its prompt, seed and settings with the column's setting applied.</summary>
    public ComparisonRow CellRow(ComparisonRow row) => Setting?.Apply(row) ?? row;
}
