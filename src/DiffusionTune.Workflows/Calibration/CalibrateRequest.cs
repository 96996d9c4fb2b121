using DiffusionTune.Diffusion.Calibration;
using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Loading;

namespace DiffusionTune.Workflows.Calibration;

/// <summary>What to calibrate and how: a base model, a fine-tune of it (a checkpoint and/or LoRAs), the prompts, the budget and the output.</summary>
public sealed record CalibrateRequest
{
    /// <summary>The base model (the embedded model when null).</summary>
    public string? Base { get; init; }

    /// <summary>The fine-tuned checkpoint (the base when null, so that LoRAs alone are calibrated).</summary>
    public string? Tuned { get; init; }

    /// <summary>LoRAs merged into the tuned model; their result is part of what is calibrated.</summary>
    public IReadOnlyList<LoraArgument> Loras { get; init; } = [];

    /// <summary>What the fine-tune learned: prompts with its trigger words.</summary>
    public IReadOnlyList<string> ConceptPrompts { get; init; } = [];

    /// <summary>General prompts (as <c>damage --prompts</c>); null = the defaults for the model family.</summary>
    public string? PromptsFile { get; init; }

    public required DriftBudget Budget { get; init; }

    public DriftSettings Drift { get; init; } = new();

    public CalibrationSettings Search { get; init; } = new();

    /// <summary>The calibrated model or LoRA to write (must not exist).</summary>
    public required string Output { get; init; }

    /// <summary>diffusers or safetensors for a model result; null = by the output's extension, or a LoRA file for a lone LoRA.</summary>
    public string? ModelFormat { get; init; }

    public ModelLoadingSettings Loading { get; init; } = new();

    /// <summary>Whether the result is a kohya LoRA with the strengths baked in: one LoRA, no tuned checkpoint, no model format asked for.</summary>
    public bool WritesLora => Tuned is null && Loras.Count == 1 && ModelFormat is null;
}
