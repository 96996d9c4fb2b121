using DiffusionTune.Web.JobKinds;
using DiffusionTune.Web.Jobs;
using DiffusionTune.Web.Library;
using DiffusionTune.Web.Pages;
using DiffusionTune.Web.Safety;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DiffusionTune.Web.Endpoints;

/// <summary>The Compare page (filled from a gallery image with <c>?job=&amp;image=</c>) and the grid a comparison's settings lay out.</summary>
public static class CompareEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/compare", (string? job, long? image, string? follow, JobQueue queue, LibraryScanner library, CrossSiteGuard guard) =>
            PageResults.Page(guard, "Compare", "/compare", ComparePage.Body(GenerateEndpoints.FormFrom(queue, job, image), library.Scan(),
                follow is null ? null : GenerateEndpoints.Followed(queue, follow, CompareJobKind.Name))));
        // The rows and columns the settings make (checked as the job would check them), so the page can draw the table first.
        app.MapPost("/api/compare/plan", async (HttpRequest request, RootedPaths roots) =>
        {
            System.Text.Json.JsonElement settings;
            try
            {
                settings = await request.ReadFromJsonAsync<System.Text.Json.JsonElement>(JobJson.Options);
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new ArgumentException($"the request is not a comparison's settings: {e.Message}");
            }
            var plan = JobContext.Read<CompareJobSettings>(settings).ToPlan(roots, CompareJobKind.GridFolder, "cpu");
            return Results.Json(new { Columns = plan.Columns.Select(c => c.Label), Rows = plan.Rows.Select(r => r.Label) }, JobJson.Options);
        });
    }
}
