using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Loading;

namespace DiffusionTune.Workflows.Damage;

/// <summary>What to measure: a base model against a tuned model with adapters, on which prompts, and how the models are read.</summary>
public sealed record DamageRequest
{
    /// <summary>The base model (the embedded model when null).</summary>
    public string? Base { get; init; }

    /// <summary>The tuned model (the base when null, so that adapters alone are measured).</summary>
    public string? Tuned { get; init; }

    /// <summary>Applied to the tuned model only.</summary>
    public ModelAdapters Adapters { get; init; } = new();

    /// <summary>A plain-text file of general prompts; null = the shapes world's general prompts for its models, else <see cref="GeneralPrompts.StableDiffusion"/>.</summary>
    public string? PromptsFile { get; init; }

    /// <summary>Prompts of what the fine-tune was meant to learn (its instance prompt or captions); may be empty.</summary>
    public IReadOnlyList<string> ConceptPrompts { get; init; } = [];

    public DriftSettings Drift { get; init; } = new();

    /// <summary>Images per prompt for the evaluator's comparison (shapes-world models); null = no evaluation.</summary>
    public int? EvaluationSeeds { get; init; }

    /// <summary>The evaluator classifier folder (default: the shipped one).</summary>
    public string? Evaluator { get; init; }

    /// <summary>How both models are read.</summary>
    public ModelLoadingSettings Loading { get; init; } = new();
}
