using DiffusionTune.Web.Browsing;
using DiffusionTune.Web.Datasets;
using DiffusionTune.Web.Jobs;
using DiffusionTune.Web.Pages;
using DiffusionTune.Web.Safety;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DiffusionTune.Web.Endpoints;

/// <summary>The folder browser over the roots (JSON and an htmx partial) and the images in them (whole, or as thumbnails).</summary>
public static class BrowseEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/roots", (RootedPaths roots) => Results.Json(roots.Roots.Select(r => new { r.Name, Path = r.FullPath, Exists = Directory.Exists(r.FullPath) }), JobJson.Options));
        app.MapGet("/api/browse", (string? root, string? path, RootedPaths roots) => Results.Json(FolderListing.Read(roots, root, path), JobJson.Options));
        app.MapGet("/browse", (string? root, string? path, RootedPaths roots) =>
            PageResults.Fragment(root is null ? FolderBrowserView.Roots(roots.Roots) : FolderBrowserView.Folder(FolderListing.Read(roots, root, path))));
        app.MapGet("/files/image", (string? root, string? path, RootedPaths roots) =>
        {
            var file = ImageIn(roots, root, path);
            return Results.File(file, JobEndpoints.ImageContentType(file));
        });
        app.MapGet("/files/thumbnail", (string? root, string? path, RootedPaths roots) =>
            Results.File(Thumbnails.Make(ImageIn(roots, root, path)), "image/png"));
    }

    /// <summary>The image file at <paramref name="path"/> in <paramref name="root"/>; anything else (a folder, a model, a text file) is refused.</summary>
    static string ImageIn(RootedPaths roots, string? root, string? path)
    {
        var file = roots.Resolve(root, path);
        if (!FolderImages.IsImage(file)) throw new ArgumentException($"'{path}' is not an image file");
        if (!File.Exists(file)) throw new FileNotFoundException($"there is no image '{path}' in the root '{root}'");
        return file;
    }
}
