namespace DiffusionTune.Cli.Commands.Compare;

/// <summary>One column of a comparison grid: a model, optionally with an adapter applied at a strength.</summary>
/// <param name="Label">Its heading in the grid.</param>
/// <param name="Model">A diffusers folder or a single-file checkpoint.</param>
/// <param name="Adapter">The LoRA or hypernetwork applied to it, or null for the model alone.</param>
public sealed record ComparisonColumn(string Label, string Model, ComparisonAdapter? Adapter);
