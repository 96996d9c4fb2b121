using DiffusionTune.Contracts;
using DiffusionTune.Training.Engine;
using DiffusionTune.Workflows.Comparison;
using DiffusionTune.Workflows.Generation;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Training;

/// <summary>
/// The before/after grid of a finished preset run: the base model against the result (a LoRA, a hypernetwork or a
/// full model), same seeds, on the run's sample prompts, in <c>OUTPUT/NAME-before-after</c>.
/// </summary>
public static class BeforeAfterGrid
{
    /// <summary>Seeds per sample prompt.</summary>
    const int SeedsPerPrompt = 2;

    public static string FolderOf(TrainJob job) => Path.Combine(job.OutputFolder, $"{job.OutputName}-before-after");

    /// <summary>The grid an earlier call made, or null.</summary>
    public static string? Existing(TrainJob job)
    {
        var grid = Path.Combine(FolderOf(job), ComparisonGrid.FileName);
        return File.Exists(grid) ? grid : null;
    }

    /// <summary>
    /// Generates the grid; returns its path, or null when the result is an embedding (its word is new to the base
    /// model, so there is no "before" of it: the printed <c>generate</c> command shows it) or, with a warning, of a
    /// kind it cannot show.
    /// </summary>
    /// <param name="pluginFolders">The run's extra plugin folders, where a plugin-format adapter's format is found.</param>
    public static string? Write(TrainJob job, SavedFile? trained, IReadOnlyList<string> prompts, IReadOnlyList<string> pluginFolders, IWorkflowReporter reporter,
        CancellationToken cancellation)
    {
        if (trained?.Kind == SavedFileKind.Embedding) return null;
        ComparisonColumn? after = trained?.Kind switch
        {
            SavedFileKind.Lora => new ComparisonColumn("after", job.Model, new ComparisonAdapter(AdapterKind.Lora, trained.Path, 1.0)),
            SavedFileKind.Hypernetwork => new ComparisonColumn("after", job.Model, new ComparisonAdapter(AdapterKind.Hypernetwork, trained.Path, 1.0)),
            SavedFileKind.Adapter => new ComparisonColumn("after", job.Model, new ComparisonAdapter(AdapterKind.Plugin, trained.Path, 1.0) { PluginFolders = pluginFolders }),
            SavedFileKind.Model => new ComparisonColumn("after", trained.Path, null),
            _ => null,
        };
        if (after is null)
        {
            reporter.Warning($"no before/after grid: {(trained is null ? $"no final result named {job.OutputName} in {job.OutputFolder}" : $"{trained.Path} is not a LoRA, hypernetwork, plugin adapter or model")}");
            return null;
        }
        var folder = FolderOf(job);
        // The folder is this run's own: images of an earlier result are not reused.
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var comparison = ComparisonRun.Run(new ComparisonPlan
        {
            Columns = [new ComparisonColumn("before", job.Model, null), after],
            Rows = ComparisonAxes.Rows(prompts, null, seed: 1, SeedsPerPrompt),
            Output = folder,
            // The training run's own sample settings; fp32, because the grid shows the result, not the training precision.
            Sampling = new SamplingSettings { Steps = job.Engine.SampleSteps, Cfg = job.Engine.SampleGuidance, Loading = new() { Device = job.Device } },
        }, reporter, cancellation);
        foreach (var failure in comparison.Failures)
            reporter.Warning($"{failure.Problem}");
        return comparison.GridPath;
    }
}
