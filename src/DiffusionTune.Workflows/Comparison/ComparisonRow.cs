using DiffusionTune.Workflows.Generation;


namespace DiffusionTune.Workflows.Comparison;

/// <summary>One row of a comparison grid: a prompt (with its per-prompt overrides) and the seed every column uses for it.</summary>
public sealed record ComparisonRow(string Label, PromptJob Prompt, long Seed);
