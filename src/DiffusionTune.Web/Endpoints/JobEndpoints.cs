using System.Text.Json;
using DiffusionTune.Web.Jobs;
using DiffusionTune.Web.Pages;
using DiffusionTune.Web.Safety;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DiffusionTune.Web.Endpoints;

/// <summary>The queue: pages, the JSON API, the event stream, the log, images, cancel and resume.</summary>
public static class JobEndpoints
{
    /// <summary>What POST /api/jobs takes.</summary>
    public sealed record NewJob(string Kind, JsonElement Settings, string? Device);

    /// <summary>The settings as the job page shows them (HTML-encoded there, so nothing is escaped twice).</summary>
    static readonly JsonSerializerOptions ReadableJson = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/queue", (JobQueue queue, CrossSiteGuard guard) => PageResults.Page(guard, "Queue", "/queue", QueuePage.Body(queue.Jobs)));
        app.MapGet("/queue/table", (JobQueue queue) => PageResults.Fragment(QueuePage.Table(queue.Jobs)));

        app.MapGet("/api/jobs", (JobQueue queue) => Results.Json(queue.Jobs, JobJson.Options));
        app.MapGet("/api/job-kinds", (JobQueue queue) => Results.Json(queue.Kinds, JobJson.Options));
        app.MapPost("/api/jobs", async (HttpRequest request, JobQueue queue) =>
        {
            NewJob? body;
            try
            {
                body = await request.ReadFromJsonAsync<NewJob>(JobJson.Options);
            }
            catch (JsonException e)
            {
                throw new ArgumentException($"the request is not a job: {e.Message}");
            }
            if (body is null || string.IsNullOrEmpty(body.Kind)) throw new ArgumentException("the request names no job kind");
            var job = queue.Enqueue(body.Kind, body.Settings.ValueKind == JsonValueKind.Undefined ? JsonDocument.Parse("{}").RootElement : body.Settings, body.Device ?? "cpu");
            return Results.Json(job, JobJson.Options, statusCode: StatusCodes.Status201Created);
        });
        app.MapGet("/api/jobs/{id}", (string id, JobQueue queue) => Results.Json(Job(queue, id), JobJson.Options));

        app.MapGet("/jobs/{id}", (string id, JobQueue queue, CrossSiteGuard guard) =>
        {
            var job = Job(queue, id);
            var resultUrl = job.Kind == JobKinds.TrainJobKind.Name ? $"/jobs/{Uri.EscapeDataString(job.Id)}/train-result" : null;
            return PageResults.Page(guard, $"Job {job.Id}", "/queue",
                JobPage.Body(job, JsonSerializer.Serialize(job.Settings, ReadableJson), resultUrl, TrainEndpoints.ResultHtml(queue, job)));
        });
        app.MapGet("/jobs/{id}/log", (string id, JobQueue queue) => Results.Text(queue.Events(Job(queue, id).Id).LogText(), "text/plain; charset=utf-8"));
        app.MapGet("/jobs/{id}/events", (string id, HttpContext context, JobQueue queue) => JobEventStream.Write(context, queue, Job(queue, id).Id));
        app.MapGet("/jobs/{id}/images/{eventId:long}", (string id, long eventId, JobQueue queue, RootedPaths roots) =>
        {
            var job = Job(queue, id);
            var image = queue.Events(job.Id).Read(eventId - 1).Events.FirstOrDefault(e => e.Id == eventId && e.Type == JobEventTypes.Image)
                ?? throw new KeyNotFoundException($"job {id} has no image event {eventId}");
            // The path came from the job itself, but is served only from the job's folder or a root, and only as an image.
            var path = image.Path!;
            var jobFolder = new RootedPaths([queue.FolderOf(job.Id)]).Roots[0];
            var allowed = RootedPaths.Contains(jobFolder, path) || roots.Roots.Any(r => RootedPaths.Contains(r, path));
            if (!allowed || !Datasets.FolderImages.IsImage(path) || !File.Exists(path))
                throw new PathOutsideRootException($"the image of event {eventId} is not in the job's folder or a root");
            return Results.File(path, ImageContentType(path));
        });
        app.MapPost("/jobs/{id}/cancel", (string id, JobQueue queue) =>
            queue.Cancel(Job(queue, id).Id) ? Results.Accepted() : Results.Conflict($"job {id} is not queued or running"));
        app.MapPost("/jobs/{id}/resume", (string id, JobQueue queue) =>
        {
            var job = queue.Resume(Job(queue, id).Id);
            return Results.Json(job, JobJson.Options);
        });
    }

    /// <summary>The job <paramref name="id"/>; a malformed or unknown id is a 404.</summary>
    static JobRecord Job(JobQueue queue, string id) =>
        (JobStore.IsValidId(id) ? queue.Find(id) : null) ?? throw new KeyNotFoundException($"there is no job '{id}'");

    internal static string ImageContentType(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".webp" => "image/webp",
        ".bmp" => "image/bmp",
        _ => "application/octet-stream",
    };
}
