using Spectre.Console;

namespace DiffusionTune.Cli.Rendering;

/// <summary>
/// Progress for long jobs: Spectre.Console bars (description, bar, percentage, elapsed, remaining) on an interactive
/// terminal, plain log lines when output is redirected (CI, files, pipes).
/// </summary>
public static class ProgressDisplay
{
    /// <summary>A unit of work with a known number of steps.</summary>
    public interface ITask
    {
        void Advance(int done, string? status = null);

        void Finish(string summary);
    }

    public interface ISink
    {
        /// <summary>Starts a task of <paramref name="total"/> steps, <paramref name="alreadyDone"/> of them done before (a resumed run).</summary>
        ITask Start(string description, int total, int alreadyDone = 0);

        /// <summary>Writes a line above the bars (or in the log).</summary>
        void Log(string markup);
    }

    public static bool Interactive => AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    public static void Run(Action<ISink> work)
    {
        if (!Interactive)
        {
            work(new PlainSink());
            return;
        }
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new StepsPerSecondColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => work(new SpectreSink(context)));
    }

    sealed class SpectreSink(ProgressContext context) : ISink
    {
        public ITask Start(string description, int total, int alreadyDone)
        {
            var task = context.AddTask(Markup.Escape(description), autoStart: false, maxValue: total);
            task.Value = alreadyDone;
            task.StartTask();
            return new SpectreTask(task, description);
        }

        public void Log(string markup) => AnsiConsole.MarkupLine(markup);
    }

    sealed class SpectreTask(ProgressTask task, string description) : ITask
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

    sealed class PlainSink : ISink
    {
        public ITask Start(string description, int total, int alreadyDone)
        {
            Console.WriteLine(alreadyDone > 0 ? $"{description}: resumed at {alreadyDone}/{total}" : $"{description}: started ({total} steps)");
            return new PlainTask(description, total, alreadyDone);
        }

        public void Log(string markup) => Console.WriteLine(Markup.Remove(markup));
    }

    /// <summary>Logs about every tenth of the work, so a redirected log stays short but shows the job is alive.</summary>
    sealed class PlainTask(string description, int total, int alreadyDone) : ITask
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
