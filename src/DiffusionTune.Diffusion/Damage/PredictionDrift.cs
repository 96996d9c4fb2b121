namespace DiffusionTune.Diffusion.Damage;

/// <summary>
/// How much a tuned model's noise predictions differ from its base model's on one prompt set
/// (<see cref="PredictionDriftMeter"/>): over everything, per timestep, per prompt and per UNet block.
/// </summary>
/// <param name="Prompts">The prompts measured ("" is the unconditional prompt classifier-free guidance uses).</param>
/// <param name="Total">The noise predictions over every prompt, seed and timestep.</param>
/// <param name="Timesteps">The noise predictions at each timestep.</param>
/// <param name="PerPrompt">The noise predictions for each prompt, in <paramref name="Prompts"/>' order.</param>
/// <param name="Blocks">Each UNet block's output, in the order a forward pass runs them.</param>
public sealed record PredictionDrift(
    IReadOnlyList<string> Prompts,
    DriftFigure Total,
    IReadOnlyList<TimestepDrift> Timesteps,
    IReadOnlyList<PromptDrift> PerPrompt,
    IReadOnlyList<BlockDrift> Blocks);

/// <summary>The drift of the noise predictions at one training timestep.</summary>
public sealed record TimestepDrift(int Timestep, DriftFigure Drift);

/// <summary>The drift of the noise predictions for one prompt.</summary>
public sealed record PromptDrift(string Prompt, DriftFigure Drift);

/// <summary>The drift of one UNet block's output (<c>down_blocks.0</c>, <c>mid_block</c>, <c>up_blocks.2</c>, …).</summary>
public sealed record BlockDrift(string Block, DriftFigure Drift);
