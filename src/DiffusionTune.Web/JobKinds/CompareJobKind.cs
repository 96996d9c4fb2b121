using DiffusionTune.Web.Jobs;
using DiffusionTune.Web.Safety;
using DiffusionTune.Workflows.Comparison;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Web.JobKinds;

/// <summary>
/// <c>compare</c>: the Compare page's job, <see cref="ComparisonRun"/> over <see cref="CompareJobSettings"/>, writing
/// its cells (<c>r000-c001-s42.png</c>), grid.png and comparison.json into the job's <c>grid/</c> folder. A resumed job
/// reuses the cells already made.
/// </summary>
public sealed class CompareJobKind(RootedPaths roots) : IJobKind
{
    public const string Name = "compare";

    /// <summary>The job folder's subfolder the comparison goes to.</summary>
    public const string GridFolder = "grid";

    public string Kind => Name;

    public void Validate(System.Text.Json.JsonElement settings) =>
        JobContext.Read<CompareJobSettings>(settings).ToPlan(roots, GridFolder, "cpu");

    public Task RunAsync(JobContext context, IWorkflowReporter reporter, CancellationToken cancellation)
    {
        var plan = context.SettingsAs<CompareJobSettings>().ToPlan(roots, Path.Combine(context.Folder, GridFolder), context.Device);
        return Task.Run(() =>
        {
            var result = ComparisonRun.Run(plan, reporter, cancellation);
            var failures = result.Failures.ToList();
            reporter.Message($"{plan.Rows.Count} row(s) × {plan.Columns.Count} column(s): {result.Cells.Count - failures.Count} made, {failures.Count} failed");
            // Some cells failing fails the job (as the CLI exits 1), so the queue shows it; resuming remakes only those.
            if (failures.Count > 0) throw new InvalidOperationException($"{failures.Count} of {result.Cells.Count} cell(s) failed: {failures[0].Problem}");
        }, cancellation);
    }
}
