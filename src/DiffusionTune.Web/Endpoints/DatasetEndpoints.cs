using DiffusionTune.Web.Datasets;
using DiffusionTune.Web.Jobs;
using DiffusionTune.Web.Pages;
using DiffusionTune.Web.Safety;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DiffusionTune.Web.Endpoints;

/// <summary>The Train page's datasets: create one, upload images into it, show thumbnails, edit captions.</summary>
public static class DatasetEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/datasets", (DatasetStore datasets) =>
            Results.Json(datasets.Names.Select(n => new { Name = n, Folder = Path.Combine(datasets.Folder, n) }), JobJson.Options));
        app.MapPost("/datasets", async (HttpRequest request, HttpResponse response, DatasetStore datasets) =>
        {
            var form = await request.ReadFormAsync();
            var name = form["name"].ToString();
            datasets.Create(name);
            var location = $"/datasets/{Uri.EscapeDataString(name.Trim())}";
            // htmx follows HX-Redirect; other clients read Location.
            response.Headers["HX-Redirect"] = location;
            return Results.Created(location, new { Name = name.Trim() });
        });
        app.MapGet("/datasets/{name}", (string name, DatasetStore datasets, UiOptions options, CrossSiteGuard guard) =>
            PageResults.Page(guard, $"Dataset {name}", "/train", DatasetPage.Body(name, FolderImages.Read(datasets.FolderOf(name)), options.MaxUploadBytes, options.MaxUploadFiles)));
        app.MapGet("/api/datasets/{name}/images", (string name, DatasetStore datasets) =>
            Results.Json(FolderImages.Read(datasets.FolderOf(name)), JobJson.Options));
        app.MapPost("/datasets/{name}/images", async (string name, HttpRequest request, DatasetStore datasets, ImageUpload upload) =>
        {
            var folder = datasets.FolderOf(name);
            if (!request.HasFormContentType) throw new UploadRejectedException("an upload must be multipart/form-data");
            var form = await request.ReadFormAsync();
            var saved = upload.Import(folder, [.. form.Files.Select(f => new ImageUpload.Part(f.FileName, f.Length, f.OpenReadStream))]);
            return request.Headers.ContainsKey("HX-Request")
                ? PageResults.Fragment(DatasetPage.Images(name, FolderImages.Read(folder), $"Added {saved.Count} image(s)."))
                : Results.Json(saved, JobJson.Options, statusCode: StatusCodes.Status201Created);
        });
        app.MapGet("/datasets/{name}/thumbnail/{file}", (string name, string file, DatasetStore datasets) =>
            Results.File(Thumbnails.Make(ImageOf(datasets, name, file)), "image/png"));
        app.MapPost("/datasets/{name}/captions/{file}", async (string name, string file, HttpRequest request, DatasetStore datasets) =>
        {
            var image = ImageOf(datasets, name, file);
            var form = await request.ReadFormAsync();
            var caption = form["caption"].ToString();
            if (caption.Length > 10_000) throw new ArgumentException("a caption may have at most 10000 characters");
            FolderImages.WriteCaption(image, caption);
            return PageResults.Fragment("saved");
        });
    }

    /// <summary>The image <paramref name="file"/> of dataset <paramref name="name"/>: a plain file name of an existing image, nothing else.</summary>
    static string ImageOf(DatasetStore datasets, string name, string file)
    {
        var folder = datasets.FolderOf(name);
        if (file != Path.GetFileName(file) || file is "." or ".." || file.Contains('\\') || !FolderImages.IsImage(file))
            throw new PathOutsideRootException($"'{file}' is not an image file name of this dataset");
        var path = Path.Combine(folder, file);
        if (!File.Exists(path) || new FileInfo(path).LinkTarget is not null)
            throw new FileNotFoundException($"dataset '{name}' has no image '{file}'");
        return path;
    }
}
