using DiffusionTune.Web.Gallery;
using DiffusionTune.Web.Library;

namespace DiffusionTune.Web.Pages;

/// <summary>
/// The Generate page: the prompt and sampling settings, the model and the library's LoRAs, embeddings and hypernetworks
/// (with strengths and trigger words), the images of the queued job as they arrive (generate.js), and the gallery.
/// </summary>
public static class GeneratePage
{
    /// <summary>How many of the newest images the page's gallery shows (the gallery page shows all).</summary>
    const int RecentImages = 12;

    /// <param name="followJob">A generate job whose images the page shows (as they arrive, when it still runs); null for none.</param>
    public static string Body(SamplingForm form, IReadOnlyList<LibraryItem> library, IReadOnlyList<GalleryImage> gallery, string? followJob) => $"""
        <form id="generate-form" class="job-form" data-testid="generate-form">
        <label class="wide">Prompt <textarea id="prompt" name="prompt" rows="3" required data-testid="prompt">{Html.E(form.Prompt)}</textarea></label>
        {form.Fields(randomSeed: true)}
        <div class="fields">
        <label>Batch count <input id="batch-count" name="batch_count" type="number" min="1" value="1" data-testid="batch-count"></label>
        <label>Model {LibraryPicker.Select(library.Where(i => i.Kind == LibraryItemKind.Model), "model", "embedded shapes-world model (default)")}</label>
        </div>
        <fieldset id="loras" data-testid="loras"><legend>LoRAs</legend>{LibraryPicker.Checkboxes(library.Where(i => i.Kind == LibraryItemKind.Lora), "lora", strengths: true)}</fieldset>
        <fieldset data-testid="embeddings"><legend>Embedding</legend>{LibraryPicker.Select(library.Where(i => i.Kind == LibraryItemKind.Embedding), "embedding", "none")}
        <button type="button" id="insert-embedding" data-testid="insert-embedding">insert its name</button></fieldset>
        <fieldset id="hypernetworks" data-testid="hypernetworks"><legend>Hypernetworks</legend>{LibraryPicker.Checkboxes(library.Where(i => i.Kind == LibraryItemKind.Hypernetwork), "hypernetwork", strengths: true)}</fieldset>
        <p><button type="submit" id="generate" data-testid="generate-button">Generate</button> <span id="job-status" data-testid="job-status"></span></p>
        <p class="error" id="form-error" data-testid="form-error"></p>
        </form>
        <section><div class="images" id="generated-images" data-testid="generated-images"{(followJob is null ? "" : $" data-follow-job=\"{Html.E(followJob)}\"")}></div></section>
        <h2>Gallery</h2>
        <p><a href="/gallery">All generated images</a></p>
        {GalleryView.Html(gallery.Take(RecentImages))}
        <script src="/static/jobs.js" defer></script>
        <script src="/static/generate.js" defer></script>
        """;
}
