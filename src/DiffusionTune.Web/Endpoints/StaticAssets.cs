using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DiffusionTune.Web.Endpoints;

/// <summary>The stylesheet, the page script and vendored htmx, served from the assembly's embedded wwwroot under <c>/static/</c>.</summary>
public static class StaticAssets
{
    static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    };

    /// <summary>Embedded resource name by URL path ("vendor/htmx.min.js"); only scripts and stylesheets are served.</summary>
    static readonly Dictionary<string, string> Assets = typeof(StaticAssets).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("wwwroot", StringComparison.Ordinal))
        .Select(n => (Resource: n, Path: n["wwwroot".Length..].Replace('\\', '/').TrimStart('/')))
        .Where(a => ContentTypes.ContainsKey(Path.GetExtension(a.Path)))
        .ToDictionary(a => a.Path, a => a.Resource, StringComparer.Ordinal);

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/static/{**path}", (string path) =>
        {
            if (!Assets.TryGetValue(path, out var resource)) return Results.NotFound();
            var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)!;
            return Results.Stream(stream, ContentTypes[Path.GetExtension(path)]);
        });
}
