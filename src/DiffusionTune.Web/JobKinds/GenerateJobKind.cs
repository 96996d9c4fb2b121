using DiffusionTune.Web.Jobs;
using DiffusionTune.Web.Safety;
using DiffusionTune.Workflows.Generation;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Web.JobKinds;

/// <summary>
/// <c>generate</c>: the Generate page's job, <see cref="GenerationJob"/> with <see cref="GenerateJobSettings"/>, writing
/// into the job's <c>images/</c> folder. A resumed job makes only the images that folder does not hold yet.
/// </summary>
public sealed class GenerateJobKind(RootedPaths roots) : IJobKind
{
    public const string Name = "generate";

    /// <summary>The job folder's subfolder its images go to.</summary>
    public const string ImagesFolder = "images";

    public string Kind => Name;

    public void Validate(System.Text.Json.JsonElement settings) =>
        JobContext.Read<GenerateJobSettings>(settings).ToWorkflow(roots, ImagesFolder, "cpu");

    public Task RunAsync(JobContext context, IWorkflowReporter reporter, CancellationToken cancellation)
    {
        var settings = context.SettingsAs<GenerateJobSettings>().ToWorkflow(roots, Path.Combine(context.Folder, ImagesFolder), context.Device);
        return Task.Run(() => GenerationJob.Run(settings, reporter, cancellation), cancellation);
    }
}
