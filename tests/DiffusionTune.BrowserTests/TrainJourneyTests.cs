using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DiffusionTune.BrowserTests;

/// <summary>An artist trains the quick-test preset on the sample images, entirely in the browser, and reads the result.</summary>
public sealed class TrainJourneyTests
{
    /// <summary>Training, the before/after grid and the damage report of a few steps on the embedded model, on a shared CPU.</summary>
    const float JobTimeoutMs = 240_000;

    [BrowserFact]
    public async Task An_artist_trains_the_quick_test_preset_on_the_sample_images_and_sees_progress_then_the_grid()
    {
        await using var ui = await UiProcess.StartAsync();
        await using var browser = await UiBrowser.OpenAsync();
        var page = browser.Page;

        await page.GotoAsync(ui.Url("/train"));
        await page.ClickAsync("[data-testid=preset-card-quick-test]");
        // The preset's trainer brings its own options into the form.
        await Expect(page.Locator("[data-testid=trainer-options] legend")).ToContainTextAsync("lora");
        await page.SelectOptionAsync("[data-testid=images-root]", "samples");
        await page.FillAsync("[data-testid=images-path]", "sks-star");
        await page.PressAsync("[data-testid=images-path]", "Tab");
        // A few steps, so that the run fits a test: the form writes them into the YAML view.
        foreach (var (field, value) in new[] { ("steps", "4"), ("warmup_steps", "0"), ("sample_steps", "4") })
        {
            await page.FillAsync($"#f-{field}", value);
            await page.PressAsync($"#f-{field}", "Tab");
            await Expect(page.Locator("[data-testid=settings-yaml]")).ToHaveValueAsync(new Regex($"(^|\\n){field}: {value}\\n"));
        }
        await Expect(page.Locator("[data-testid=settings-status]")).ToHaveTextAsync("Ready to start.");
        await browser.ScreenshotAsync("train");

        await page.ClickAsync("[data-testid=start-training]");
        await page.WaitForURLAsync(new Regex("/jobs/[0-9a-f-]+$"));
        // Progress advances: a unit of work shows steps done.
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=job-progress] progress')].some(p => p.value > 0)",
            null, new() { Timeout = JobTimeoutMs });
        await Expect(page.Locator("[data-testid=before-after-grid]")).ToBeVisibleAsync(new() { Timeout = JobTimeoutMs });
        await Expect(page.Locator("[data-testid=job-state]")).ToHaveTextAsync("finished");
        await Expect(page.Locator("[data-testid=damage-verdict]")).ToContainTextAsync("The fine-tune");
        await Expect(page.Locator("[data-testid=curve-loss]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=job-samples] figcaption").First).ToHaveTextAsync("sample, step 4");
        // The grid is an image the browser decoded.
        Assert.True(await page.Locator("[data-testid=before-after-grid]").EvaluateAsync<int>(
            "img => img.complete ? img.naturalWidth : new Promise(r => img.onload = () => r(img.naturalWidth))") > 0);
        await browser.ScreenshotAsync("train-job");
    }
}
