using DiffusionTune.IO;

namespace DiffusionTune.Training.Engine;

/// <summary>
/// A run's final result in its output folder: <c>NAME.safetensors</c>, or the diffusers folder <c>NAME</c>
/// (intermediate results carry their step: <c>NAME-step000500</c>).
/// </summary>
public static class FinalResult
{
    /// <summary>The final result of <paramref name="job"/>, or null when its output folder has none.</summary>
    public static string? Find(TrainJob job)
    {
        var file = Path.Combine(job.OutputFolder, job.OutputName + ".safetensors");
        if (File.Exists(file)) return file;
        var folder = Path.Combine(job.OutputFolder, job.OutputName);
        return Directory.Exists(folder) ? folder : null;
    }

    /// <summary>
    /// Renames the final result of a run that is about to be continued past <paramref name="step"/> (where it was
    /// saved) to that step's name, so that it never sits, unmarked, beside the newer step files; returns the new name,
    /// or null when there was none. When that step's name is taken (by the same run's result of the same step: the
    /// same weights), the final result is removed instead.
    /// </summary>
    /// <exception cref="FileAccessException">The system refused the rename (a read-only output folder).</exception>
    public static string? SetAside(TrainJob job, int step)
    {
        if (Find(job) is not { } final) return null;
        bool isFile = File.Exists(final);
        var stepName = Path.Combine(job.OutputFolder, $"{job.OutputName}-step{step:D6}{(isFile ? ".safetensors" : "")}");
        FileAccessException.Guard(final, "rename", () =>
        {
            if (Path.Exists(stepName))
            {
                if (isFile) File.Delete(final);
                else Directory.Delete(final, recursive: true);
            }
            else if (isFile) File.Move(final, stepName);
            else Directory.Move(final, stepName);
        });
        return stepName;
    }
}
