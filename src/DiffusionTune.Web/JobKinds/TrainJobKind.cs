using System.Text.Json;
using DiffusionTune.Web.Jobs;
using DiffusionTune.Web.Training;
using DiffusionTune.Workflows.Damage;
using DiffusionTune.Workflows.Reporting;
using DiffusionTune.Workflows.Training;

namespace DiffusionTune.Web.JobKinds;

/// <summary>
/// <c>train</c>: the workflow's <see cref="TrainingJob"/> with a <see cref="TrainJobSettings"/>, writing into the job's
/// <c>output/</c> folder. Validation is the CLI's (preset reader, then preflight). Cancelling stops after the current
/// step and saves a resumable checkpoint (the engine's training loop does); resuming runs the same settings again, and
/// the engine carries on from that checkpoint. A finished run leaves <see cref="TrainResultFile"/> for the job page.
/// </summary>
public sealed class TrainJobKind(TrainRequestBuilder builder, TrainerCatalog catalog, JobStore store) : IJobKind
{
    public const string Name = "train";

    /// <summary>Where a job writes its results, inside its folder.</summary>
    public static string OutputFolderOf(string jobFolder) => Path.Combine(jobFolder, "output");

    public string Kind => Name;

    public void Validate(JsonElement settings) => Check(JobContext.Read<TrainJobSettings>(settings));

    /// <summary>The checks of <see cref="Validate"/> (the CLI's: preset reader, then preflight) on settings already read.</summary>
    /// <exception cref="ArgumentException">The settings have problems (a <see cref="Workflows.Settings.TrainSettingsException"/> lists them all).</exception>
    public void Check(TrainJobSettings settings) =>
        TrainingJob.Check(builder.Build(settings, OutputFolderOf(Path.Combine(store.Folder, "new")), "cpu"), catalog.Plugins);

    public Task RunAsync(JobContext context, IWorkflowReporter reporter, CancellationToken cancellation) => Task.Run(() =>
    {
        var request = builder.Build(context.SettingsAs<TrainJobSettings>(), OutputFolderOf(context.Folder), context.Device);
        if (context.IsResume) reporter.Message("Resuming: the run carries on from its last checkpoint.");
        var prepared = TrainingJob.Prepare(request, reporter);
        var outcome = TrainingJob.Run(prepared, reporter, cancellation);
        if (!outcome.Result.Finished) return;
        var damage = outcome.Damage is null ? null : TrainingDamageReport.PathFor(outcome.Job);
        var next = NextSteps.Lines(outcome.Job, outcome.Trained, outcome.Prompts, outcome.BeforeAfterGrid, prepared.BaseModelGiven, []);
        foreach (var line in next) reporter.Message(line);
        new TrainResultFile(outcome.Trained?.Path, outcome.BeforeAfterGrid, damage, next).Write(context.Folder);
    }, CancellationToken.None);
}
