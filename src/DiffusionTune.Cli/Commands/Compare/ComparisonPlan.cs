using DiffusionTune.Cli.Commands.Generate;

namespace DiffusionTune.Cli.Commands.Compare;

/// <summary>One column of a comparison grid: a model, optionally with a LoRA merged in at a strength.</summary>
/// <param name="Label">Its heading in the grid.</param>
/// <param name="Model">A diffusers folder or a single-file checkpoint.</param>
/// <param name="Lora">The LoRA merged into it, or null for the model alone.</param>
public sealed record ComparisonColumn(string Label, string Model, LoraArgument? Lora);

/// <summary>One row of a comparison grid: a prompt (with its per-prompt overrides) and the seed every column uses for it.</summary>
public sealed record ComparisonRow(string Label, PromptJob Prompt, long Seed);

/// <summary>What a comparison generates: every row in every column, with the same sampling settings throughout.</summary>
public sealed record ComparisonPlan
{
    public required IReadOnlyList<ComparisonColumn> Columns { get; init; }

    public required IReadOnlyList<ComparisonRow> Rows { get; init; }

    /// <summary>The folder for the cell images, the grid and the manifest; existing cell images are reused.</summary>
    public required string Output { get; init; }

    public string NegativePrompt { get; init; } = "";

    public int Steps { get; init; } = 25;

    public double Cfg { get; init; } = 7.0;

    public string Sampler { get; init; } = "dpmpp_2m_karras";

    /// <summary>Image size; null = each model's native size.</summary>
    public int? Width { get; init; }

    public int? Height { get; init; }

    public int ClipSkip { get; init; } = 1;

    public string? Tokenizer { get; init; }

    public string? PredictionType { get; init; }

    public string Device { get; init; } = "auto";

    public string Precision { get; init; } = "fp32";
}
