using DiffusionTune.Contracts;
using DiffusionTune.Training.Engine;
using DiffusionTune.Workflows.Damage;

namespace DiffusionTune.Workflows.Training;

/// <summary>What a training run produced (<see cref="TrainingJob.Run"/>).</summary>
/// <param name="Result">The engine's result; <see cref="TrainResult.Finished"/> is false when it was stopped (it saved; running it again resumes).</param>
/// <param name="Trained">The final adapter or model, or null.</param>
/// <param name="Prompts">Prompts to try the result with.</param>
/// <param name="BeforeAfterGrid">The before/after grid of a preset run, or null.</param>
/// <param name="Damage">The damage report written beside the result (<see cref="TrainingDamageReport.PathFor"/>), or null.</param>
public sealed record TrainOutcome(TrainJob Job, TrainResult Result, SavedFile? Trained, IReadOnlyList<string> Prompts, string? BeforeAfterGrid, DamageReport? Damage);
