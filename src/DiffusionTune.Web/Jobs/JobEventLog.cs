using System.Text;
using System.Text.Json;

namespace DiffusionTune.Web.Jobs;

/// <summary>
/// A job's events: kept in memory for streaming, appended to <c>events.jsonl</c> (one JSON object a line) and, as plain
/// text, to <c>log.txt</c>. Subscribers wait on <see cref="Read"/>'s task, which completes when something is appended.
/// </summary>
public sealed class JobEventLog
{
    public const string EventsFileName = "events.jsonl";
    public const string LogFileName = "log.txt";

    readonly object _lock = new();
    readonly List<JobEvent> _events;
    readonly string _eventsFile;
    readonly string _logFile;
    TaskCompletionSource _appended = NewSignal();

    JobEventLog(string folder, List<JobEvent> events)
    {
        _eventsFile = Path.Combine(folder, EventsFileName);
        _logFile = Path.Combine(folder, LogFileName);
        _events = events;
    }

    /// <summary>The log of the job in <paramref name="folder"/>, with the events it already holds (a torn last line, from a crash, is skipped).</summary>
    public static JobEventLog Open(string folder)
    {
        var events = new List<JobEvent>();
        var file = Path.Combine(folder, EventsFileName);
        if (File.Exists(file))
        {
            EndTornLine(file);
            foreach (var line in File.ReadLines(file))
            {
                try
                {
                    if (JsonSerializer.Deserialize<JobEvent>(line, JobJson.Options) is { } e) events.Add(e);
                }
                catch (JsonException)
                {
                    // Only the last line can be torn (the server died while writing it); what came before stands.
                }
            }
        }
        return new JobEventLog(folder, events);
    }

    /// <summary>Appends an event built from <paramref name="template"/> (its id and time are set here) and wakes the subscribers.</summary>
    public JobEvent Append(Func<long, DateTimeOffset, JobEvent> template)
    {
        TaskCompletionSource woken;
        JobEvent appended;
        lock (_lock)
        {
            appended = template(_events.Count + 1, DateTimeOffset.UtcNow);
            File.AppendAllText(_eventsFile, JsonSerializer.Serialize(appended, JobJson.Options) + "\n");
            if (LogLine(appended) is { } line)
                File.AppendAllText(_logFile, $"{appended.Time:yyyy-MM-dd HH:mm:ss} {line}\n", Encoding.UTF8);
            _events.Add(appended);
            woken = _appended;
            _appended = NewSignal();
        }
        woken.SetResult();
        return appended;
    }

    /// <summary>The events after <paramref name="afterId"/>, and a task that completes when another is appended.</summary>
    public (IReadOnlyList<JobEvent> Events, Task Appended) Read(long afterId)
    {
        lock (_lock)
        {
            var start = (int)Math.Clamp(afterId, 0, _events.Count);
            return (_events.GetRange(start, _events.Count - start), _appended.Task);
        }
    }

    /// <summary>The job's log text (empty before anything was logged).</summary>
    public string LogText()
    {
        lock (_lock) return File.Exists(_logFile) ? File.ReadAllText(_logFile) : "";
    }

    static string? LogLine(JobEvent e) => e.Type switch
    {
        JobEventTypes.State => $"[{e.State?.ToString().ToLowerInvariant()}] {e.Text}".TrimEnd(),
        JobEventTypes.Start => $"{e.Text} ({e.Total} steps{(e.Done > 0 ? $", {e.Done} done before" : "")})",
        JobEventTypes.Finish => $"{e.Text}",
        JobEventTypes.Message => e.Text,
        JobEventTypes.Warning => $"warning: {e.Text}",
        JobEventTypes.Error => $"error: {e.Text}",
        JobEventTypes.Image => $"image: {e.Path} ({e.Text})",
        _ => null, // progress steps are in events.jsonl; the log keeps the story readable.
    };

    /// <summary>Ends a last line the server died while writing, so the next event starts a line of its own.</summary>
    static void EndTornLine(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        if (stream.Length == 0) return;
        stream.Seek(-1, SeekOrigin.End);
        if (stream.ReadByte() != '\n') stream.WriteByte((byte)'\n');
    }

    static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
