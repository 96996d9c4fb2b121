using System.Text.RegularExpressions;
using DiffusionTune.IO;
using DiffusionTune.Training.Checkpoints;
using DiffusionTune.Training.Logging;

namespace DiffusionTune.Training.Engine;

/// <summary>
/// What a killed run of a job left half written: temporaries (<see cref="TemporaryName"/>) of checkpoints
/// (<c>checkpoints/.step-000500.&lt;guid&gt;.tmp/</c>, a full model's size for DreamBooth), result files
/// (<c>.NAME-step000500.safetensors.&lt;guid&gt;.tmp</c>), sample grids, logs and the latent cache. Looked for only in
/// the job's own places: the folders the run writes in its run folder (not the run folder itself, which a user may have
/// pointed at a shared folder), and, in the output folder (which other runs may share), only temporaries of the job's own result names — <c>NAME</c> or <c>NAME-stepNNNNNN</c>, as a
/// <c>.safetensors</c> file or a diffusers folder, with everything inside such a folder. To be removed only by the
/// process holding the run's <see cref="RunLock"/>, so that none of them is still being written.
/// </summary>
public static class RunLeftovers
{
    public static RemovedTemporaries Remove(TrainJob job)
    {
        var removed = new RunCheckpoints(job.RunFolder).RemoveUnfinished();
        foreach (var folder in new[] { TrainingLog.FolderOf(job.RunFolder), TrainingEngine.LatentFolderOf(job.RunFolder), TrainerRun.SampleFolderOf(job.RunFolder) })
            removed += StaleTemporaries.Remove(folder, _ => true);

        var result = new Regex($@"^{Regex.Escape(job.OutputName)}(-step\d{{6,}})?(\.safetensors)?$", RegexOptions.CultureInvariant);
        removed += StaleTemporaries.Remove(job.OutputFolder, result.IsMatch);
        if (!Directory.Exists(job.OutputFolder)) return removed;
        foreach (var folder in new DirectoryInfo(job.OutputFolder).EnumerateDirectories().Where(f => f.LinkTarget is null && result.IsMatch(f.Name)))
            removed += StaleTemporaries.Remove(folder.FullName, _ => true, includeSubfolders: true);
        return removed;
    }
}
