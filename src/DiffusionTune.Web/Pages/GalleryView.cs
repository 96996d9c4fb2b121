using System.Text;
using DiffusionTune.Web.Gallery;

namespace DiffusionTune.Web.Pages;

/// <summary>
/// Generated images with their metadata, each with "use these settings" (the Generate page filled from it) and "send
/// to compare" (the Compare page filled from it).
/// </summary>
public static class GalleryView
{
    public static string Html(IEnumerable<GalleryImage> images)
    {
        var html = new StringBuilder("""<div class="gallery" id="gallery" data-testid="gallery">""");
        int count = 0;
        foreach (var image in images)
        {
            count++;
            var job = Pages.Html.U(image.JobId);
            var query = $"job={job}&amp;image={image.EventId}";
            var prompt = image.Parameters?.Prompt ?? "";
            html.Append($"""
                <figure class="gallery-item" data-testid="gallery-image" data-job="{Pages.Html.E(image.JobId)}" data-image="{image.EventId}">
                <a href="/jobs/{job}"><img src="/jobs/{job}/images/{image.EventId}" alt="{Pages.Html.E(prompt)}" loading="lazy"></a>
                <figcaption>{Pages.Html.E(prompt)}</figcaption>
                <details><summary>Parameters</summary><pre data-testid="gallery-parameters">{Pages.Html.E(image.ParametersText ?? "(none recorded)")}</pre></details>
                <p><a href="/generate?{query}" data-testid="use-settings">Use these settings</a> · <a href="/compare?{query}" data-testid="send-to-compare">Send to compare</a></p>
                </figure>
                """);
        }
        if (count == 0) html.Append("""<p class="empty">No generated images yet.</p>""");
        return html.Append("</div>").ToString();
    }
}
