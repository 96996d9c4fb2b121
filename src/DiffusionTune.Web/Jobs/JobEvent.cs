using System.Text.Json.Serialization;

namespace DiffusionTune.Web.Jobs;

/// <summary>
/// One thing a job reported, as stored in its <c>events.jsonl</c> and streamed to pages. Which fields are set depends on
/// <see cref="Type"/>: <c>state</c> (State, Text), <c>start</c> (Unit, Text, Total, Done), <c>progress</c> (Unit, Done,
/// Total, Text), <c>finish</c> (Unit, Text), <c>message</c>/<c>warning</c>/<c>error</c> (Text), <c>image</c> (Path, Text).
/// </summary>
public sealed record JobEvent
{
    /// <summary>The event's number in its job, from 1; the SSE id that Last-Event-ID refers to.</summary>
    public required long Id { get; init; }

    public required string Type { get; init; }

    public required DateTimeOffset Time { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Text { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JobState? State { get; init; }

    /// <summary>Which unit of work (from <c>start</c>) a progress event belongs to.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Unit { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Done { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Total { get; init; }

    /// <summary>A metric's value.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Value { get; init; }

    /// <summary>The server process's working set in bytes when a progress event was recorded.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Memory { get; init; }

    /// <summary>An image's path on the server (the page fetches it through the job's image endpoint).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }

    /// <summary>Whether this event ends a run of the job (a <c>state</c> event at rest).</summary>
    [JsonIgnore]
    public bool EndsRun => Type == JobEventTypes.State && State is { } state && state.IsAtRest();
}

/// <summary>The <see cref="JobEvent.Type"/> names.</summary>
public static class JobEventTypes
{
    public const string State = "state";
    public const string Start = "start";
    public const string Progress = "progress";
    public const string Finish = "finish";
    public const string Message = "message";
    public const string Warning = "warning";
    public const string Error = "error";
    public const string Image = "image";
    public const string Metric = "metric";
}
