using System.Text;
using DiffusionTune.Web.Browsing;
using DiffusionTune.Web.Safety;

namespace DiffusionTune.Web.Pages;

/// <summary>The server-side folder browser (an htmx partial that replaces itself as the user walks the folders).</summary>
public static class FolderBrowserView
{
    /// <summary>The list of roots, the browser's starting point.</summary>
    public static string Roots(IReadOnlyList<RootFolder> roots)
    {
        var html = new StringBuilder("""<div class="browser" id="browser"><p>Folders:</p><ul>""");
        foreach (var root in roots)
            html.Append($"""<li><a href="#" hx-get="/browse?root={Html.U(root.Name)}" hx-target="#browser" hx-swap="outerHTML">{Html.E(root.Name)}</a> <span class="path">{Html.E(root.FullPath)}</span></li>""");
        return html.Append("</ul></div>").ToString();
    }

    /// <summary>One folder: its subfolders to walk into, its images as thumbnails with captions.</summary>
    public static string Folder(FolderListing listing)
    {
        string Link(string? path, string label) =>
            $"""<a href="#" hx-get="/browse?root={Html.U(listing.Root)}&path={Html.U(path)}" hx-target="#browser" hx-swap="outerHTML">{Html.E(label)}</a>""";
        var html = new StringBuilder($"""<div class="browser" id="browser" data-root="{Html.E(listing.Root)}" data-path="{Html.E(listing.Path)}">""");
        html.Append($"""<p class="crumbs"><a href="#" hx-get="/browse" hx-target="#browser" hx-swap="outerHTML">roots</a> / {Html.E(listing.Root)}/{Html.E(listing.Path)}</p><ul>""");
        if (listing.Parent is { } parent) html.Append($"<li>{Link(parent, "..")}</li>");
        foreach (var folder in listing.Folders)
            html.Append($"<li>{Link(listing.Path.Length == 0 ? folder : listing.Path + "/" + folder, folder + "/")}</li>");
        html.Append("</ul>");
        html.Append($"<p>{listing.Images.Count} image(s), {listing.Images.Count(i => i.Caption is not null)} with captions.");
        if (listing.Images.Count > 0)
            html.Append($""" <a href="/train?root={Html.U(listing.Root)}&path={Html.U(listing.Path)}#images" data-testid="train-on-folder">Train on this folder</a>""");
        html.Append("</p><div class=\"thumbs\">");
        foreach (var image in listing.Images)
        {
            var path = listing.Path.Length == 0 ? image.FileName : listing.Path + "/" + image.FileName;
            html.Append($"""<figure><img loading="lazy" src="/files/thumbnail?root={Html.U(listing.Root)}&path={Html.U(path)}" alt="{Html.E(image.FileName)}"><figcaption>{Html.E(image.Caption ?? "(no caption)")}</figcaption></figure>""");
        }
        return html.Append("</div></div>").ToString();
    }
}
