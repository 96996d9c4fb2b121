using DiffusionTune.Contracts;
using DiffusionTune.Training.Checkpoints;

namespace DiffusionTune.Training.Engine;

/// <summary>
/// Where a job runs, and why: a run folder holding checkpoints belongs to the run of its <see cref="RunFingerprint"/>
/// and is resumed only by that run. A job whose run folder holds another run moves, with its output folder, to the
/// first free (or matching) <c>OUTPUT-2</c>, <c>OUTPUT-3</c>, … — or is refused, with the difference spelled out,
/// when the user named the run folder.
/// </summary>
/// <param name="Job">The job, in the folders it runs in.</param>
/// <param name="Message">One line for the user: a new run, a resumed one, or why the run moved.</param>
public sealed record RunPlacement(TrainJob Job, string Message)
{
    /// <summary>Places <paramref name="job"/>; <paramref name="runFolderNamed"/>: the user gave its run folder (never moved).</summary>
    /// <exception cref="ArgumentException">The named run folder holds a run with other settings.</exception>
    public static RunPlacement Choose(TrainJob job, TrainerInfo trainer, bool runFolderNamed)
    {
        var fingerprint = RunFingerprint.Of(job, trainer, TrainerOptionParser.Parse(trainer, job.TrainerOptions));
        var differences = DifferencesFrom(job.RunFolder, fingerprint);
        if (differences is null) return new RunPlacement(job, $"new run in {job.RunFolder}");
        if (differences.Count == 0) return new RunPlacement(job, Resuming(job));
        if (runFolderNamed) throw Refusal(job.RunFolder, differences);

        var why = $"{job.RunFolder} holds a run with other settings ({string.Join("; ", differences)})";
        for (int counter = 2; ; counter++)
        {
            var output = $"{job.OutputFolder}-{counter}";
            var moved = job with { OutputFolder = output, RunFolder = Path.Combine(output, Path.GetRelativePath(job.OutputFolder, job.RunFolder)) };
            var there = DifferencesFrom(moved.RunFolder, fingerprint);
            if (there is null) return new RunPlacement(moved, $"{why}: starting a new run in {moved.RunFolder}");
            if (there.Count == 0) return new RunPlacement(moved, $"{why}; {Resuming(moved)}");
        }
    }

    /// <summary>
    /// Throws unless <paramref name="runFolder"/> is free or holds the run of <paramref name="fingerprint"/> (then the
    /// run may resume it); the training engine's own check, whoever placed the job.
    /// </summary>
    public static void Check(string runFolder, RunFingerprint fingerprint)
    {
        if (DifferencesFrom(runFolder, fingerprint) is { Count: > 0 } differences) throw Refusal(runFolder, differences);
    }

    /// <summary>
    /// Null when the run folder holds no run (no checkpoint: nothing would be resumed), else how its run's settings
    /// differ from <paramref name="fingerprint"/> (empty when they match).
    /// </summary>
    static IReadOnlyList<string>? DifferencesFrom(string runFolder, RunFingerprint fingerprint)
    {
        if (new RunCheckpoints(runFolder).Latest() is null) return null;
        return RunFingerprint.Read(runFolder) is { } stored
            ? fingerprint.DifferencesFrom(stored)
            : ["it has no record of its settings (it was made by an older version)"];
    }

    static string Resuming(TrainJob job)
    {
        int step = new RunCheckpoints(job.RunFolder).Latest()!.Value.Step;
        int steps = job.Engine.Steps;
        return step < steps
            ? $"resuming run {job.RunFolder} at step {step} of {steps}"
            : $"run {job.RunFolder} has already done {step} of {steps} steps with these settings: nothing to train (give more --steps to continue it)";
    }

    static ArgumentException Refusal(string runFolder, IReadOnlyList<string> differences) =>
        new($"{runFolder}: this run folder holds a run with other settings ({string.Join("; ", differences)}); " +
            "give the run its own --run folder, or leave --run out to start a new run beside it");
}
