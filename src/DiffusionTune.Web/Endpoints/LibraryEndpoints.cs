using DiffusionTune.Web.Jobs;
using DiffusionTune.Web.Library;
using DiffusionTune.Web.Pages;
using DiffusionTune.Web.Safety;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DiffusionTune.Web.Endpoints;

/// <summary>The Library: model files in the roots with their metadata and damage reports.</summary>
public static class LibraryEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/library", (LibraryScanner library, CrossSiteGuard guard) => PageResults.Page(guard, "Library", "/library", LibraryPage.Body(library.Scan())));
        app.MapGet("/api/library", (LibraryScanner library) => Results.Json(library.Scan().Select(i => new
        {
            i.Root, i.RelativePath, i.Kind, i.Bytes, i.BaseModel, i.Trigger, i.TrainingSettings, i.Problem,
            Damage = i.Damage is { } d ? new { d.FileName, d.GeneralDrift, d.ConceptDrift, d.ConceptToGeneral, Blocks = d.Blocks.Select(b => new { b.Block, b.Drift }), Timesteps = d.Timesteps.Select(t => new { t.Timestep, t.Drift }) } : null,
        }), JobJson.Options));
    }
}
