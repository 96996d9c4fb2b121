using System.Text;
using DiffusionTune.Web.Datasets;

namespace DiffusionTune.Web.Pages;

/// <summary>A managed dataset: drop or pick images to upload, and each image's thumbnail with its caption to edit.</summary>
public static class DatasetPage
{
    public static string Body(string name, IReadOnlyList<FolderImage> images, long maxBytes, int maxFiles) => $"""
        <form class="upload" hx-post="/datasets/{Html.U(name)}/images" hx-encoding="multipart/form-data" hx-target="#images" hx-swap="outerHTML">
        <label>Add images (PNG, JPEG, WebP, BMP, GIF; up to {maxFiles} at once, {Html.Bytes(maxBytes)} each)
        <input type="file" name="images" accept="image/*" multiple required></label>
        <button>Upload</button>
        </form>
        {Images(name, images, null)}
        """;

    /// <summary>The image grid with caption editors (also the answer to an upload, with <paramref name="note"/> above it).</summary>
    public static string Images(string name, IReadOnlyList<FolderImage> images, string? note)
    {
        var html = new StringBuilder("""<div id="images">""");
        if (note is not null) html.Append($"""<p class="note">{Html.E(note)}</p>""");
        html.Append($"<p>{images.Count} image(s), {images.Count(i => i.Caption is not null)} with captions.</p><div class=\"thumbs\">");
        foreach (var image in images)
        {
            var file = Html.U(image.FileName);
            html.Append($"""
                <figure><img loading="lazy" src="/datasets/{Html.U(name)}/thumbnail/{file}" alt="{Html.E(image.FileName)}">
                <form hx-post="/datasets/{Html.U(name)}/captions/{file}" hx-target="find .saved">
                <textarea name="caption" rows="3" placeholder="caption">{Html.E(image.Caption)}</textarea>
                <button>Save</button> <span class="saved"></span></form>
                <figcaption>{Html.E(image.FileName)}</figcaption></figure>
                """);
        }
        return html.Append("</div></div>").ToString();
    }
}
