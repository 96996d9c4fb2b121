using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Web.Jobs;

/// <summary>The web host's <see cref="IWorkflowReporter"/>: everything a workflow reports becomes an event in its job's log.</summary>
public sealed class JobReporter(JobEventLog log) : IWorkflowReporter
{
    int _units;

    public IWorkflowProgress Start(string description, int total, int alreadyDone = 0)
    {
        var unit = Interlocked.Increment(ref _units);
        log.Append((id, time) => new JobEvent { Id = id, Time = time, Type = JobEventTypes.Start, Unit = unit, Text = description, Total = total, Done = alreadyDone });
        return new JobProgress(log, unit, total);
    }

    public void Message(string text) => Append(JobEventTypes.Message, text);

    public void Warning(string text) => Append(JobEventTypes.Warning, text);

    public void ImageReady(string path, string caption) =>
        log.Append((id, time) => new JobEvent { Id = id, Time = time, Type = JobEventTypes.Image, Path = Path.GetFullPath(path), Text = caption });

    /// <summary>Kept as a <c>metric</c> event (a value that is not finite has no place on a curve and is left out).</summary>
    public void Metric(string name, int step, double value)
    {
        if (double.IsFinite(value))
            log.Append((id, time) => new JobEvent { Id = id, Time = time, Type = JobEventTypes.Metric, Text = name, Done = step, Value = value });
    }

    /// <summary>Records the error that stopped the job.</summary>
    public void Error(string text) => Append(JobEventTypes.Error, text);

    void Append(string type, string text) =>
        log.Append((id, time) => new JobEvent { Id = id, Time = time, Type = type, Text = text });
}
