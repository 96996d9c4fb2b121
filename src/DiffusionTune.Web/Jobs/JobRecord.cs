using System.Text.Json;

namespace DiffusionTune.Web.Jobs;

/// <summary>A job as kept in its folder's <c>job.json</c>: what it is, with which settings, and where it stands.</summary>
public sealed record JobRecord
{
    /// <summary>The job's id, also its folder's name (sortable: creation time, then a random part).</summary>
    public required string Id { get; init; }

    /// <summary>The <see cref="IJobKind.Kind"/> that runs it.</summary>
    public required string Kind { get; init; }

    /// <summary>The device it runs on; one job at a time runs per device.</summary>
    public required string Device { get; init; }

    /// <summary>The kind's settings, as the page or API sent them.</summary>
    public required JsonElement Settings { get; init; }

    public required JobState State { get; init; }

    public required DateTimeOffset Created { get; init; }

    /// <summary>When it last started running; null while it never ran.</summary>
    public DateTimeOffset? Started { get; init; }

    /// <summary>When it last came to rest; null while queued or running.</summary>
    public DateTimeOffset? Ended { get; init; }

    /// <summary>Why it failed; null otherwise.</summary>
    public string? Error { get; init; }

    /// <summary>How many times it was resumed (queued again after failing, being cancelled or interrupted).</summary>
    public int Resumes { get; init; }
}
