using DiffusionTune.Web.Gallery;
using DiffusionTune.Web.JobKinds;
using DiffusionTune.Web.Jobs;
using DiffusionTune.Web.Library;
using DiffusionTune.Web.Pages;
using DiffusionTune.Web.Safety;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DiffusionTune.Web.Endpoints;

/// <summary>The Generate page (filled from a gallery image with <c>?job=&amp;image=</c>) and the gallery, as a page, a fragment and JSON.</summary>
public static class GenerateEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/generate", (string? job, long? image, string? follow, JobQueue queue, LibraryScanner library, CrossSiteGuard guard) =>
            PageResults.Page(guard, "Generate", "/generate", GeneratePage.Body(FormFrom(queue, job, image), library.Scan(), GeneratedImages.List(queue),
                follow is null ? null : Followed(queue, follow, GenerateJobKind.Name).Id)));
        app.MapGet("/gallery", (JobQueue queue, CrossSiteGuard guard) =>
            PageResults.Page(guard, "Gallery", "/gallery", GalleryView.Html(GeneratedImages.List(queue))));
        app.MapGet("/gallery/fragment", (JobQueue queue) => PageResults.Fragment(GalleryView.Html(GeneratedImages.List(queue))));
        app.MapGet("/api/gallery", (JobQueue queue) => Results.Json(GeneratedImages.List(queue).Select(i => new
        {
            Job = i.JobId, Image = i.EventId, i.Time, Url = $"/jobs/{Uri.EscapeDataString(i.JobId)}/images/{i.EventId}", Parameters = i.ParametersText,
            Settings = i.Parameters is { } p ? SamplingForm.From(p) : null,
        }), JobJson.Options));
    }

    /// <summary>The job <paramref name="id"/> a page follows (<c>?follow=ID</c>, what the page's address becomes when it queues one), which must be of <paramref name="kind"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is no such job of that kind.</exception>
    public static JobRecord Followed(JobQueue queue, string id, string kind) =>
        (JobStore.IsValidId(id) ? queue.Find(id) : null) is { } job && job.Kind == kind ? job : throw new KeyNotFoundException($"there is no {kind} job '{id}'");

    /// <summary>The form as an image's metadata fills it (<c>?job=ID&amp;image=EVENT</c>), else the defaults.</summary>
    /// <exception cref="KeyNotFoundException">There is no such generated image.</exception>
    /// <exception cref="ArgumentException">The image records no parameters this tool can read.</exception>
    public static SamplingForm FormFrom(JobQueue queue, string? job, long? image)
    {
        if (job is null || image is null) return SamplingForm.Default;
        var found = GeneratedImages.Find(queue, job, image.Value);
        return found.Parameters is { } parameters ? SamplingForm.From(parameters) : throw new ArgumentException($"image {image} of job {job} records no generation parameters");
    }
}
