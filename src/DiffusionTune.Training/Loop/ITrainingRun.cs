using DiffusionTune.Training.Optimization;

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

    /// <summary>Runs optimizer step <paramref name="step"/> (0-based). Called inside a dispose scope.</summary>
    StepResult Step(int step);

    /// <summary>Writes everything needed to resume after <paramref name="stepsDone"/> steps into <paramref name="folder"/>.</summary>
    void SaveCheckpoint(string folder, int stepsDone);

    /// <summary>Restores a checkpoint written by <see cref="SaveCheckpoint"/>.</summary>
    void LoadCheckpoint(string folder);

    /// <summary>Called after every step (after any checkpoint of that step), e.g. to render sample images now and then.</summary>
    void AfterStep(int stepsDone);
}

/// <summary>What one step reports: its loss, learning rate and gradient norm.</summary>
/// <param name="SkippedOverflow">
/// An fp16 step whose gradients overflowed, so its update was skipped and the loss scale halved: its gradient norm is
/// not finite, but the run has not diverged.
/// </param>
/// <param name="LossScale">The loss scale of an fp16 step.</param>
public readonly record struct StepResult(double Loss, double LearningRate, double GradientNorm, bool SkippedOverflow = false, double? LossScale = null)
{
    /// <summary>A step's result from its loss, learning rate and what the optimizer did.</summary>
    public StepResult(double loss, double learningRate, OptimizerStepResult update)
        : this(loss, learningRate, update.GradientNorm, update.SkippedOverflow, update.LossScale)
    {
    }
}
