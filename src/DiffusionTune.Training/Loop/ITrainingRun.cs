using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Loop;

/// <summary>
/// One resumable training job as <see cref="TrainingLoop"/> drives it: a fixed number of optimizer steps, each a pure
/// function of the run's state, so that saving after step N and loading gives the same step N+1 as running on.
/// </summary>
public interface ITrainingRun
{
    /// <summary>A short name for progress and log lines ("vae", "unet", …).</summary>
    string Name { get; }

    int TotalSteps { get; }

    /// <summary>The dtype the model computes in (what <c>--precision</c> chose); a non-finite stop's advice depends on it.</summary>
    ScalarType ComputeDtype { get; }

    /// <summary>Where the model computes; a non-finite stop's advice depends on it.</summary>
    DeviceType DeviceType { get; }

    /// <summary>Runs optimizer step <paramref name="step"/> (0-based). Called inside a dispose scope.</summary>
    StepResult Step(int step);

    /// <summary>Writes everything needed to resume after <paramref name="stepsDone"/> steps into <paramref name="folder"/>.</summary>
    void SaveCheckpoint(string folder, int stepsDone);

    /// <summary>Restores a checkpoint written by <see cref="SaveCheckpoint"/>.</summary>
    void LoadCheckpoint(string folder);

    /// <summary>
    /// Called after every step (after any checkpoint of that step), e.g. to render sample images now and then. Long
    /// work here must watch <paramref name="cancellation"/> and throw <see cref="OperationCanceledException"/> when it
    /// is cancelled; the loop then saves the step (if it has not) and stops.
    /// </summary>
    void AfterStep(int stepsDone, CancellationToken cancellation);
}
