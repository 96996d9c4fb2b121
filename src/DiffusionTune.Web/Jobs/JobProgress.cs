using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Web.Jobs;

/// <summary>
/// One unit of a job's work. Steps are recorded at most every <see cref="MinimumInterval"/> (and always the last one),
/// so a long training run does not write an event per step. Each carries the process's working set, the job's memory.
/// </summary>
public sealed class JobProgress(JobEventLog log, int unit, int total) : IWorkflowProgress
{
    static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(250);

    DateTimeOffset _lastRecorded = DateTimeOffset.MinValue;

    public void Advance(int done, string? status = null)
    {
        var now = DateTimeOffset.UtcNow;
        if (done < total && now - _lastRecorded < MinimumInterval) return;
        _lastRecorded = now;
        log.Append((id, time) => new JobEvent { Id = id, Time = time, Type = JobEventTypes.Progress, Unit = unit, Done = done, Total = total, Text = status, Memory = Environment.WorkingSet });
    }

    public void Finish(string summary) =>
        log.Append((id, time) => new JobEvent { Id = id, Time = time, Type = JobEventTypes.Finish, Unit = unit, Text = summary });
}
