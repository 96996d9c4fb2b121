namespace DiffusionTune.Workflows.Reporting;

/// <summary>One unit of work with a known number of steps, started by <see cref="IWorkflowReporter.Start"/>.</summary>
public interface IWorkflowProgress
{
    /// <summary><paramref name="done"/> of the total steps are done; <paramref name="status"/> is a short note (a loss, a file name).</summary>
    void Advance(int done, string? status = null);

    /// <summary>The work ended; <paramref name="summary"/> says how.</summary>
    void Finish(string summary);
}
