using DiffusionTune.Training.Checkpoints;
using DiffusionTune.Training.Logging;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Loop;

/// <summary>
/// Drives an <see cref="ITrainingRun"/>: resumes from its newest checkpoint, runs each step in its own dispose scope
/// (so native memory stays flat), logs scalars (each step once: a resumed run's log drops the rows of the steps it runs
/// again), saves every <c>checkpointEvery</c> steps and at the end, saves and stops cleanly when cancelled (Ctrl+C, also
/// while sample images render), and stops with a clear message, keeping the last good checkpoint, when the
/// loss or gradients stop being finite (an fp16 step skipped because its scaled gradients overflowed is not that: it
/// counts as a step and the run goes on). That message says which value and which parameter went wrong, and what to try.
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
        // The steps after the checkpoint run again, and their rows replace those of the interrupted run.
        scalars.Rewind(step);
        while (step < run.TotalSteps && !cancellation.IsCancellationRequested)
        {
            StepResult result;
            using (NewDisposeScope())
                result = run.Step(step);
            if (result.Diverged) throw new TrainingDivergedException(DivergenceMessage.For(run, step + 1, result, checkpoints.Latest()));
            step++;
            scalars.Scalars(step, Scalars(run.Name, result));
            progress?.Invoke(step, run.TotalSteps, result);
            int stepsDone = step;
            void Save() => checkpoints.Save(stepsDone, folder => run.SaveCheckpoint(folder, stepsDone));
            bool saved = step % checkpointEvery == 0 || step == run.TotalSteps || cancellation.IsCancellationRequested;
            if (saved) Save();
            if (!cancellation.IsCancellationRequested)
            {
                try
                {
                    run.AfterStep(step, cancellation);
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    // Stopped while sampling; the step itself is done.
                }
            }
            // Cancelled after the save point: the step is kept all the same.
            if (!saved && cancellation.IsCancellationRequested) Save();
        }
        return step;
    }

    /// <summary>A step's logged values; a skipped overflow step has no gradient norm to log, only its loss scale.</summary>
    static Dictionary<string, double> Scalars(string name, StepResult result)
    {
        var values = new Dictionary<string, double>
        {
            [$"{name}/loss"] = result.Loss,
            [$"{name}/learning_rate"] = result.LearningRate,
        };
        if (!result.SkippedOverflow) values[$"{name}/gradient_norm"] = result.GradientNorm;
        if (result.LossScale is double scale) values[$"{name}/loss_scale"] = scale;
        return values;
    }
}
