namespace DiffusionTune.Workflows.Reporting;

/// <summary>A reporter that keeps nothing: for checks whose messages nobody reads (settings checked before they are queued).</summary>
sealed class SilentReporter : IWorkflowReporter
{
    public static SilentReporter Instance { get; } = new();

    public IWorkflowProgress Start(string description, int total, int alreadyDone = 0) => Progress.Instance;

    public void Message(string text) { }

    public void Warning(string text) { }

    public void ImageReady(string path, string caption) { }

    sealed class Progress : IWorkflowProgress
    {
        public static Progress Instance { get; } = new();

        public void Advance(int done, string? status = null) { }

        public void Finish(string summary) { }
    }
}
