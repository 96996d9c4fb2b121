using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DiffusionTune.Web.Jobs;

/// <summary>
/// Runs jobs in the server, one at a time per device, oldest first. Every change of state is written to the job's
/// job.json and logged as an event, so the queue survives a restart: jobs that were running when the server stopped
/// (or died) come back <see cref="JobState.Interrupted"/> and can be resumed; queued ones run.
/// </summary>
public sealed class JobQueue : BackgroundService
{
    readonly JobStore _store;
    readonly IReadOnlyDictionary<string, IJobKind> _kinds;
    readonly ILogger<JobQueue> _logger;
    readonly object _lock = new();
    readonly Dictionary<string, JobRecord> _jobs = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, JobEventLog> _logs = new(StringComparer.Ordinal);
    readonly Dictionary<string, RunningJob> _running = new(StringComparer.Ordinal);
    readonly SemaphoreSlim _wake = new(0);

    sealed record RunningJob(string Device, CancellationTokenSource Cancellation, Task Run)
    {
        /// <summary>Whether the user (not a server shutdown) asked it to stop.</summary>
        public bool CancelledByUser { get; set; }
    }

    public JobQueue(JobStore store, IEnumerable<IJobKind> kinds, ILogger<JobQueue> logger)
    {
        _store = store;
        _logger = logger;
        _kinds = kinds.ToDictionary(k => k.Kind, StringComparer.Ordinal);
        var skipped = new List<string>();
        foreach (var job in store.LoadAll(skipped))
        {
            _jobs[job.Id] = job;
            if (job.State == JobState.Running)
                SetState(job, JobState.Interrupted, "the server stopped while the job ran; resume it to carry on");
        }
        foreach (var problem in skipped) _logger.LogWarning("Skipped a job folder: {Problem}", problem);
    }

    /// <summary>The job kinds this server runs.</summary>
    public IReadOnlyCollection<string> Kinds => [.. _kinds.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Every job, newest first.</summary>
    public IReadOnlyList<JobRecord> Jobs
    {
        get { lock (_lock) return [.. _jobs.Values.OrderByDescending(j => j.Id, StringComparer.Ordinal)]; }
    }

    /// <summary>The job <paramref name="id"/>, or null.</summary>
    public JobRecord? Find(string id)
    {
        lock (_lock) return _jobs.GetValueOrDefault(id);
    }

    /// <summary>The event log of job <paramref name="id"/> (which must exist).</summary>
    public JobEventLog Events(string id) => _logs.GetOrAdd(id, i => JobEventLog.Open(_store.FolderOf(i)));

    /// <summary>The job's folder.</summary>
    public string FolderOf(string id) => _store.FolderOf(id);

    /// <summary>Queues a new job of <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentException">The kind is unknown, the device name is odd, or the kind refuses the settings.</exception>
    public JobRecord Enqueue(string kind, JsonElement settings, string device = "cpu")
    {
        if (!_kinds.TryGetValue(kind, out var jobKind))
            throw new ArgumentException($"there is no job kind '{kind}' (known: {string.Join(", ", Kinds)})");
        if (device.Length is 0 or > 32 || !device.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or '-' or '_'))
            throw new ArgumentException($"'{device}' is not a device name (cpu, cuda, cuda:1, …)");
        jobKind.Validate(settings);
        var now = DateTimeOffset.UtcNow;
        var job = new JobRecord { Id = JobStore.NewId(now), Kind = kind, Device = device, Settings = settings.Clone(), State = JobState.Queued, Created = now };
        lock (_lock) _jobs[job.Id] = job;
        SetState(job, JobState.Queued, $"queued ({kind} on {device})");
        _wake.Release();
        return job;
    }

    /// <summary>Stops job <paramref name="id"/>: a queued one at once, a running one through its token (it saves, then stops).</summary>
    /// <returns>False when the job is already at rest.</returns>
    public bool Cancel(string id)
    {
        lock (_lock)
        {
            if (_running.TryGetValue(id, out var running))
            {
                running.CancelledByUser = true;
                running.Cancellation.Cancel();
                return true;
            }
            if (_jobs.GetValueOrDefault(id) is not { State: JobState.Queued } queued) return false;
            SetState(queued, JobState.Cancelled, "cancelled before it started");
            return true;
        }
    }

    /// <summary>Queues a failed, cancelled or interrupted job again; it runs with <see cref="JobContext.IsResume"/> set.</summary>
    /// <exception cref="InvalidOperationException">The job cannot be resumed from its state.</exception>
    public JobRecord Resume(string id)
    {
        JobRecord resumed;
        lock (_lock)
        {
            var job = _jobs.GetValueOrDefault(id) ?? throw new KeyNotFoundException($"there is no job '{id}'");
            if (!job.State.CanResume())
                throw new InvalidOperationException($"job {id} is {job.State.ToString().ToLowerInvariant()}; only failed, cancelled or interrupted jobs can be resumed");
            resumed = job with { Resumes = job.Resumes + 1 };
            SetState(resumed, JobState.Queued, "queued again to resume");
        }
        _wake.Release();
        return Find(id)!;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                StartWhatCanRun(stoppingToken);
                await _wake.WaitAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server is stopping: the running jobs' tokens are linked to this one; wait for them to save.
        }
        Task[] runs;
        lock (_lock) runs = [.. _running.Values.Select(r => r.Run)];
        await Task.WhenAll(runs);
    }

    void StartWhatCanRun(CancellationToken stoppingToken)
    {
        lock (_lock)
        {
            var busy = _running.Values.Select(r => r.Device).ToHashSet(StringComparer.Ordinal);
            foreach (var job in _jobs.Values.Where(j => j.State == JobState.Queued).OrderBy(j => j.Id, StringComparer.Ordinal))
            {
                if (!busy.Add(job.Device)) continue;
                var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var started = job with { Started = DateTimeOffset.UtcNow, Ended = null, Error = null };
                SetState(started, JobState.Running, $"running (try {started.Resumes + 1})");
                var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var running = new RunningJob(job.Device, cancellation, Task.Run(async () =>
                {
                    await gate.Task;
                    await RunAsync(started, cancellation.Token);
                }, CancellationToken.None));
                _running[job.Id] = running;
                gate.SetResult();
            }
        }
    }

    async Task RunAsync(JobRecord job, CancellationToken cancellation)
    {
        var log = Events(job.Id);
        var reporter = new JobReporter(log);
        JobState end;
        string? error = null;
        try
        {
            var kind = _kinds.GetValueOrDefault(job.Kind) ?? throw new InvalidOperationException($"this server has no job kind '{job.Kind}'");
            var context = new JobContext(job.Id, _store.FolderOf(job.Id), job.Device, job.Settings, IsResume: job.Resumes > 0);
            await kind.RunAsync(context, reporter, cancellation);
            end = cancellation.IsCancellationRequested ? Stopped(job.Id) : JobState.Finished;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            end = Stopped(job.Id);
        }
        catch (Exception e)
        {
            end = JobState.Failed;
            error = e.Message;
            reporter.Error(e.Message);
            _logger.LogError(e, "Job {Id} ({Kind}) failed", job.Id, job.Kind);
        }
        lock (_lock)
        {
            var running = _running[job.Id];
            _running.Remove(job.Id);
            running.Cancellation.Dispose();
            SetState(_jobs[job.Id] with { Error = error, Ended = DateTimeOffset.UtcNow }, end, end switch
            {
                JobState.Finished => "finished",
                JobState.Cancelled => "cancelled; what it saved is kept, resume to carry on",
                JobState.Interrupted => "the server stopped; resume to carry on",
                _ => error,
            });
        }
        _wake.Release();
    }

    /// <summary>Why a job that stopped on its token stopped: the user's cancel, or the server shutting down.</summary>
    JobState Stopped(string id)
    {
        lock (_lock) return _running[id].CancelledByUser ? JobState.Cancelled : JobState.Interrupted;
    }

    /// <summary>Logs the change, then saves and publishes the record (so a stream that sees the job at rest has its last event).</summary>
    void SetState(JobRecord job, JobState state, string? note)
    {
        var changed = job with { State = state, Ended = state.IsAtRest() ? job.Ended ?? DateTimeOffset.UtcNow : null };
        _store.Save(changed);
        Events(job.Id).Append((id, time) => new JobEvent { Id = id, Time = time, Type = JobEventTypes.State, State = state, Text = note });
        lock (_lock) _jobs[job.Id] = changed;
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
