using System.Text.Json;
using DiffusionTune.Web.Jobs;
using Microsoft.AspNetCore.Http;

namespace DiffusionTune.Web.Endpoints;

/// <summary>
/// A job's events as server-sent events: every event after Last-Event-ID (all of them without it), then new ones as
/// they happen. The stream ends, with an <c>end</c> event, when the job comes to rest; a comment every <see cref="KeepAlive"/> keeps proxies from
/// closing an idle one.
/// </summary>
public static class JobEventStream
{
    static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>The last event of a stream, sent when the job has come to rest (it has no id: it is not in the job's log).</summary>
    public const string EndEvent = "end";

    public static async Task Write(HttpContext context, JobQueue queue, string id)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var cancellation = context.RequestAborted;
        long last = long.TryParse(context.Request.Headers["Last-Event-ID"], out var resumeFrom) && resumeFrom > 0 ? resumeFrom : 0;
        var log = queue.Events(id);
        await response.WriteAsync("retry: 3000\n\n", cancellation);
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                var (events, appended) = log.Read(last);
                foreach (var e in events)
                {
                    await response.WriteAsync($"id: {e.Id}\nevent: {e.Type}\ndata: {JsonSerializer.Serialize(e, JobJson.Options)}\n\n", cancellation);
                    last = e.Id;
                }
                await response.Body.FlushAsync(cancellation);
                // At rest: the state event that said so was logged before the record changed, so it has been sent.
                if ((events.Count > 0 && events[^1].EndsRun) || (events.Count == 0 && queue.Find(id)?.State.IsAtRest() == true))
                {
                    // Says so: a replay passes through earlier at-rest states (a job cancelled, then resumed), so a page
                    // must not stop listening at a state event, only here.
                    await response.WriteAsync($"event: {EndEvent}\ndata: {{}}\n\n", cancellation);
                    await response.Body.FlushAsync(cancellation);
                    return;
                }
                var waited = await Task.WhenAny(appended, Task.Delay(KeepAlive, cancellation));
                if (waited != appended && !cancellation.IsCancellationRequested)
                    await response.WriteAsync(": keep-alive\n\n", cancellation);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The page went away.
        }
    }
}
