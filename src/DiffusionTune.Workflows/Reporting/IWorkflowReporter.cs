namespace DiffusionTune.Workflows.Reporting;

/// <summary>
/// Where a workflow says what it is doing: the CLI renders it with Spectre.Console (or plain lines when output is
/// redirected), the web UI streams it to the page. Workflows never write to a console themselves.
/// Texts are plain (no markup); hosts escape them as their medium needs.
/// </summary>
public interface IWorkflowReporter
{
    /// <summary>Starts a unit of work of <paramref name="total"/> steps, <paramref name="alreadyDone"/> of them done before (a resumed job).</summary>
    IWorkflowProgress Start(string description, int total, int alreadyDone = 0);

    /// <summary>Something the user should read: what was loaded, what was reused, where a result was written.</summary>
    void Message(string text);

    /// <summary>Something that did not stop the work but may not be what the user wanted.</summary>
    void Warning(string text);

    /// <summary>An image (sample, grid, generated picture) was written to <paramref name="path"/>.</summary>
    void ImageReady(string path, string caption);

    /// <summary>
    /// A value measured at a step (a training run's <c>loss</c> and <c>learning_rate</c>), for hosts that draw curves;
    /// hosts that draw none keep this default, which ignores it.
    /// </summary>
    void Metric(string name, int step, double value) { }
}
