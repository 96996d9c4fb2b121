using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Web.Jobs;

/// <summary>
/// A kind of work the queue runs (train, generate, compare, …). Register one in DI with
/// <see cref="JobKindRegistration.AddJobKind{TKind}"/>; the queue finds it by <see cref="Kind"/> and never needs to
/// know more. The kind reads its settings from <see cref="JobContext"/>, reports through the reporter, and honours the
/// token: on cancellation it saves what it can and throws <see cref="OperationCanceledException"/> (or returns).
/// </summary>
public interface IJobKind
{
    /// <summary>The kind's name in job.json and the API (<c>train</c>, <c>generate</c>); lowercase, unique.</summary>
    string Kind { get; }

    /// <summary>
    /// Checks <paramref name="settings"/> before the job is queued, so bad settings are refused at once; returns
    /// nothing when they are good.
    /// </summary>
    /// <exception cref="ArgumentException">The settings are not valid for this kind (the message says which and why).</exception>
    void Validate(System.Text.Json.JsonElement settings);

    /// <summary>Runs the job. Called on a thread-pool thread; it may block. <see cref="JobContext.IsResume"/> says whether to carry on from saved state.</summary>
    Task RunAsync(JobContext context, IWorkflowReporter reporter, CancellationToken cancellation);
}
