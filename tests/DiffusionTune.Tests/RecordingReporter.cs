using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Tests;

/// <summary>A reporter for tests that call workflows directly: it keeps what they said instead of printing it.</summary>
public sealed class RecordingReporter : IWorkflowReporter
{
    /// <summary>The descriptions of the units of work started, in order.</summary>
    public List<string> Started { get; } = [];

    public List<string> Messages { get; } = [];

    public List<string> Warnings { get; } = [];

    public List<string> Images { get; } = [];

    /// <summary>The metrics reported, in order.</summary>
    public List<(string Name, int Step, double Value)> Metrics { get; } = [];

    public IWorkflowProgress Start(string description, int total, int alreadyDone = 0)
    {
        Started.Add(description);
        return new Progress();
    }

    public void Message(string text) => Messages.Add(text);

    public void Warning(string text) => Warnings.Add(text);

    public void ImageReady(string path, string caption) => Images.Add(path);

    public void Metric(string name, int step, double value) => Metrics.Add((name, step, value));

    sealed class Progress : IWorkflowProgress
    {
        public void Advance(int done, string? status = null) { }

        public void Finish(string summary) { }
    }
}
