using DiffusionTune.Cli.Commands;
using DiffusionTune.Workflows.Reporting;
using Spectre.Console;

namespace DiffusionTune.Cli.Rendering;

/// <summary>
/// The CLI's <see cref="IWorkflowReporter"/>: Spectre.Console progress bars (description, bar, percentage, rate, elapsed,
/// remaining) on an interactive terminal, plain log lines when output is redirected (CI, files, pipes). Messages and
/// warnings go above the bars, or into the log; an image ready is already named by the message the workflow writes.
/// </summary>
public sealed class ConsoleReporter : IWorkflowReporter
{
    readonly ProgressContext? _bars;

    ConsoleReporter(ProgressContext? bars) => _bars = bars;

    /// <summary>Reports without bars: for work outside <see cref="Run"/> (loading a model before the bars start), and all work when output is redirected.</summary>
    public static ConsoleReporter Lines { get; } = new(null);

    public static bool Interactive => AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    /// <summary>Runs <paramref name="work"/> with progress bars on an interactive terminal, with <see cref="Lines"/> otherwise.</summary>
    public static void Run(Action<ConsoleReporter> work)
    {
        if (!Interactive)
        {
            work(Lines);
            return;
        }
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new StepsPerSecondColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => work(new ConsoleReporter(context)));
    }

    /// <summary>Runs <paramref name="work"/> as <see cref="Run(Action{ConsoleReporter})"/> does and returns its result.</summary>
    public static T Run<T>(Func<ConsoleReporter, T> work)
    {
        T result = default!;
        Run(reporter => { result = work(reporter); });
        return result;
    }

    public IWorkflowProgress Start(string description, int total, int alreadyDone = 0)
    {
        if (_bars is null)
        {
            Console.WriteLine(alreadyDone > 0 ? $"{description}: resumed at {alreadyDone}/{total}" : $"{description}: started ({total} steps)");
            return new PlainTask(description, total, alreadyDone);
        }
        var task = _bars.AddTask(Markup.Escape(description), autoStart: false, maxValue: total);
        task.Value = alreadyDone;
        task.StartTask();
        return new SpectreTask(task, description);
    }

    /// <summary>Above the bars while they show; otherwise written plainly, never wrapped at the terminal's width (messages name paths to copy).</summary>
    public void Message(string text)
    {
        if (_bars is not null) AnsiConsole.MarkupLine(Markup.Escape(text));
        else Console.WriteLine(text);
    }

    public void Warning(string text) => CommandRunner.WriteWarning(text);

    public void ImageReady(string path, string caption) { }

    sealed class SpectreTask(ProgressTask task, string description) : IWorkflowProgress
    {
        public void Advance(int done, string? status)
        {
            task.Value = done;
            if (status is not null) task.Description = Markup.Escape($"{description} {status}");
        }

        public void Finish(string summary)
        {
            task.Value = task.MaxValue;
            task.Description = Markup.Escape($"{description} {summary}");
            task.StopTask();
        }
    }

    /// <summary>Logs about every tenth of the work, so a redirected log stays short but shows the job is alive.</summary>
    sealed class PlainTask(string description, int total, int alreadyDone) : IWorkflowProgress
    {
        readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();
        readonly int _startedAt = alreadyDone;
        int _lastLogged = alreadyDone;

        public void Advance(int done, string? status)
        {
            int interval = Math.Max(1, total / 10);
            if (done - _lastLogged < interval && done != total) return;
            _lastLogged = done;
            double rate = (done - _startedAt) / Math.Max(_watch.Elapsed.TotalSeconds, 1e-9);
            var remaining = rate > 0 ? TimeSpan.FromSeconds((total - done) / rate) : TimeSpan.Zero;
            Console.WriteLine($"{description}: {done}/{total} {status} ({rate:F2}/s, {remaining:hh\\:mm\\:ss} left)");
        }

        public void Finish(string summary) => Console.WriteLine($"{description}: {summary} ({_watch.Elapsed.TotalSeconds:F1} s)");
    }
}
