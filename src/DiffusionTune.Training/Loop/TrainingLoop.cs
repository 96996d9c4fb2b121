using DiffusionTune.Training.Checkpoints;
using DiffusionTune.Training.Logging;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Loop;

/// <summary>
/// Drives an <see cref="ITrainingRun"/>: resumes from its newest checkpoint, runs each step in its own dispose scope
/// (so native memory stays flat), logs scalars, saves every <c>checkpointEvery</c> steps and at the end, saves and
/// stops cleanly when cancelled (Ctrl+C), and stops with a clear message, keeping the last good checkpoint, when the
/// loss or gradients stop being finite.
/// </summary>
/// <param name="log">Where scalars go; the loop opens the run folder's own log when none is given.</param>
public sealed class TrainingLoop(string runFolder, int checkpointEvery, int keepCheckpoints = 2, TrainingLog? log = null)
{
    /// <summary>Progress after each step.</summary>
    public delegate void ProgressCallback(int stepsDone, int totalSteps, StepResult result);

    /// <summary>Runs to the end (or until cancelled); returns the number of steps done.</summary>
    public int Run(ITrainingRun run, ProgressCallback? progress = null, CancellationToken cancellation = default)
    {
        if (checkpointEvery < 1) throw new ArgumentOutOfRangeException(nameof(checkpointEvery), checkpointEvery, "must be at least 1");
        var checkpoints = new RunCheckpoints(runFolder, keepCheckpoints);
        int step = 0;
        if (checkpoints.Latest() is { } latest)
        {
            run.LoadCheckpoint(latest.Folder);
            step = latest.Step;
        }
        using var ownLog = log is null ? new TrainingLog(runFolder) : null;
        var scalars = log ?? ownLog!;
        while (step < run.TotalSteps && !cancellation.IsCancellationRequested)
        {
            StepResult result;
            using (NewDisposeScope())
                result = run.Step(step);
            if (!double.IsFinite(result.Loss) || !double.IsFinite(result.GradientNorm))
            {
                var last = checkpoints.Latest();
                throw new TrainingDivergedException(
                    $"{run.Name}: step {step + 1} gave a non-finite {(double.IsFinite(result.Loss) ? "gradient norm" : "loss")} ({result.Loss}); " +
                    (last is { } good ? $"the last good checkpoint is {good.Folder} (step {good.Step})" : "no checkpoint was saved yet") +
                    ". Lower the learning rate or use fp32.");
            }
            step++;
            scalars.Scalars(step, new Dictionary<string, double>
            {
                [$"{run.Name}/loss"] = result.Loss,
                [$"{run.Name}/learning_rate"] = result.LearningRate,
                [$"{run.Name}/gradient_norm"] = result.GradientNorm,
            });
            progress?.Invoke(step, run.TotalSteps, result);
            if (step % checkpointEvery == 0 || step == run.TotalSteps || cancellation.IsCancellationRequested)
                checkpoints.Save(step, folder => run.SaveCheckpoint(folder, step));
            run.AfterStep(step);
        }
        return step;
    }
}
