using Microsoft.Playwright;

namespace DiffusionTune.BrowserTests;

/// <summary>The UI's shell, the library, and an artist's dataset: made, filled with images and captioned, in the browser.</summary>
public sealed class DatasetJourneyTests
{
    [BrowserFact]
    public async Task The_ui_opens_on_its_queue_with_every_part_in_its_navigation()
    {
        await using var ui = await UiProcess.StartAsync();
        await using var browser = await UiBrowser.OpenAsync();
        var page = browser.Page;

        await page.GotoAsync(ui.Url("/"));

        Assert.EndsWith("/queue", new Uri(page.Url).AbsolutePath);
        var links = await page.Locator("header nav a").AllInnerTextsAsync();
        Assert.Contains("Train", links);
        Assert.Contains("Library", links);
        Assert.Contains("Queue", links);
        await browser.ScreenshotAsync("queue");
    }

    [BrowserFact]
    public async Task The_library_shows_the_embedded_model_it_was_shipped_with()
    {
        await using var ui = await UiProcess.StartAsync();
        await using var browser = await UiBrowser.OpenAsync();
        var page = browser.Page;

        await page.GotoAsync(ui.Url("/library"));

        var card = page.Locator("article.card", new() { HasText = "shapes-world" }).First;
        await card.WaitForAsync();
        Assert.Contains("shapes-world", await card.InnerTextAsync());
        await browser.ScreenshotAsync("library");
    }

    [BrowserFact]
    public async Task An_artist_makes_a_dataset_drops_in_an_image_and_edits_its_caption()
    {
        await using var ui = await UiProcess.StartAsync();
        await using var browser = await UiBrowser.OpenAsync();
        var page = browser.Page;
        var sample = Path.Combine(AppContext.BaseDirectory, "samples", "sks-star", "0000.png");

        await page.GotoAsync(ui.Url("/train"));
        await page.FillAsync("form[hx-post='/datasets'] input[name=name]", "my-star");
        await page.ClickAsync("form[hx-post='/datasets'] button");
        await page.WaitForURLAsync("**/datasets/my-star");

        await page.SetInputFilesAsync("input[type=file][name=images]", sample);
        await page.ClickAsync("form.upload button");
        var thumbnail = page.Locator("#images figure img");
        await thumbnail.First.WaitForAsync();
        Assert.Equal(1, await thumbnail.CountAsync());
        // The thumbnail is an image the browser could decode, not a broken link.
        Assert.True(await thumbnail.First.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : new Promise(r => img.onload = () => r(img.naturalWidth))") > 0);

        var caption = page.Locator("#images figure textarea[name=caption]").First;
        await caption.FillAsync("a yellow star with a face");
        await page.Locator("#images figure form button").First.ClickAsync();
        await page.Locator("#images figure .saved", new() { HasText = "saved" }).First.WaitForAsync();

        var stored = Directory.GetFiles(Path.Combine(ui.StateFolder, "datasets", "my-star"), "*.txt");
        // A caption file is one line, as the sample captions are.
        Assert.Equal("a yellow star with a face\n", File.ReadAllText(Assert.Single(stored)));
        // The uploaded image was re-encoded as a PNG under a name of the server's choosing.
        var image = Assert.Single(Directory.GetFiles(Path.Combine(ui.StateFolder, "datasets", "my-star"), "*.png"));
        Assert.Equal(Path.GetFileNameWithoutExtension(stored[0]), Path.GetFileNameWithoutExtension(image));
        await browser.ScreenshotAsync("dataset");
    }
}
