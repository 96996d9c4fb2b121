using System.Text;

namespace DiffusionTune.Web.Pages;

/// <summary>The frame every page shares: the navigation, the stylesheet, htmx and the page script.</summary>
public static class Layout
{
    /// <summary>The navigation: (path, label).</summary>
    static readonly (string Path, string Label)[] Navigation = [("/train", "Train"), ("/generate", "Generate"), ("/compare", "Compare"), ("/gallery", "Gallery"), ("/library", "Library"), ("/queue", "Queue")];

    /// <summary>A whole page around <paramref name="body"/> (already HTML); <paramref name="requestToken"/> goes to htmx's and the script's requests.</summary>
    public static string Page(string title, string active, string body, string requestToken)
    {
        var nav = new StringBuilder();
        foreach (var (path, label) in Navigation)
            nav.Append($"""<a href="{path}"{(path == active ? " class=\"active\" aria-current=\"page\"" : "")}>{label}</a>""");
        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{Html.E(title)}} · DiffusionTune</title>
            <link rel="stylesheet" href="/static/app.css">
            <script src="/static/vendor/htmx.min.js"></script>
            <script src="/static/app.js" defer></script>
            </head>
            <body data-request-token="{{Html.E(requestToken)}}" hx-headers='{"{{Safety.CrossSiteGuard.HeaderName}}": "{{Html.E(requestToken)}}"}'>
            <header><span class="brand">DiffusionTune</span><nav>{{nav}}</nav></header>
            <main>
            <h1>{{Html.E(title)}}</h1>
            {{body}}
            </main>
            </body>
            </html>
            """;
    }
}
