using DiffusionTune.Web.Gallery;
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
        app.MapGet("/generate", (string? job, long? image, JobQueue queue, LibraryScanner library, CrossSiteGuard guard) =>
            PageResults.Page(guard, "Generate", "/generate", GeneratePage.Body(FormFrom(queue, job, image), library.Scan(), GeneratedImages.List(queue))));
        app.MapGet("/gallery", (JobQueue queue, CrossSiteGuard guard) =>
            PageResults.Page(guard, "Gallery", "/gallery", GalleryView.Html(GeneratedImages.List(queue))));
        app.MapGet("/gallery/fragment", (JobQueue queue) => PageResults.Fragment(GalleryView.Html(GeneratedImages.List(queue))));
        app.MapGet("/api/gallery", (JobQueue queue) => Results.Json(GeneratedImages.List(queue).Select(i => new
        {
            Job = i.JobId, Image = i.EventId, i.Time, Url = $"/jobs/{Uri.EscapeDataString(i.JobId)}/images/{i.EventId}", Parameters = i.ParametersText,
            Settings = i.Parameters is { } p ? SamplingForm.From(p) : null,
        }), JobJson.Options));
    }

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
