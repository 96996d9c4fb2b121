using DiffusionTune.Training.Engine;
using DiffusionTune.Training.Plugins;
using DiffusionTune.Workflows.Damage;

namespace DiffusionTune.Workflows.Training;

/// <summary>A training run checked and placed (<see cref="TrainingJob.Prepare"/>), ready to <see cref="TrainingJob.Run"/>.</summary>
/// <param name="Job">The run, in the folder it resumes or starts in.</param>
/// <param name="Catalog">The plugins loaded for it.</param>
/// <param name="PluginFolders">The extra plugin folders, which its results' formats are found in again.</param>
public sealed record PreparedTraining(TrainJob Job, PluginCatalog Catalog, IReadOnlyList<string> PluginFolders)
{
    /// <summary>Whether it runs a preset (or the quick start), which ends with a before/after grid.</summary>
    public bool PresetRun { get; init; }

    /// <summary>The damage report setting: off, on or evaluate.</summary>
    public string DamageReport { get; init; } = "on";

    /// <summary>Whether the user named the base model (else the next steps leave --model out: the embedded model).</summary>
    public bool BaseModelGiven { get; init; }
}
