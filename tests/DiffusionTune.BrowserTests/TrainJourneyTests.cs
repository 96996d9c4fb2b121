using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DiffusionTune.BrowserTests;

/// <summary>An artist trains the quick-test preset on the sample images, entirely in the browser, reads the result and generates with it.</summary>
public sealed class TrainJourneyTests
{
    /// <summary>Training, the before/after grid and the damage report of a few steps on the embedded model, on a shared CPU.</summary>
    const float JobTimeoutMs = 240_000;

    [BrowserFact]
    public async Task An_artist_trains_the_quick_test_preset_on_the_sample_images_sees_progress_then_the_grid_and_generates_with_the_result()
    {
        await using var ui = await UiProcess.StartAsync();
        await using var browser = await UiBrowser.OpenAsync();
        var page = browser.Page;

        // A few steps, so that the run fits a test.
        await FillQuickTestAsync(ui, page, ("steps", "4"), ("warmup_steps", "0"), ("sample_steps", "4"));
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

        // Generate with the result: the library finds the job's LoRA under outputs/, and the image records it.
        await page.GotoAsync(ui.Url("/generate"));
        await page.Locator("[data-testid=lora-pick] input[type=checkbox][data-path$='output/quick-test.safetensors']").CheckAsync();
        await page.FillAsync("[data-testid=prompt]", "a yellow sks star with a face");
        await page.FillAsync("[data-testid=steps]", "2");
        await page.ClickAsync("[data-testid=generate-button]");
        var image = page.Locator("[data-testid=generated-image] img").First;
        await image.WaitForAsync(new() { Timeout = JobTimeoutMs });
        Assert.True(await image.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : new Promise(r => img.onload = () => r(img.naturalWidth))") > 0);
        var parameters = page.Locator("[data-testid=gallery-image]").First.Locator("[data-testid=gallery-parameters]");
        await Expect(parameters).ToContainTextAsync("quick-test", new() { Timeout = JobTimeoutMs });
    }

    [BrowserFact]
    public async Task A_cancelled_training_job_saves_and_resume_carries_it_on_from_its_checkpoint_to_the_end()
    {
        await using var ui = await UiProcess.StartAsync();
        await using var browser = await UiBrowser.OpenAsync();
        var page = browser.Page;
        const int steps = 40;

        await FillQuickTestAsync(ui, page, ("steps", steps.ToString()), ("warmup_steps", "0"), ("sample_every", "0"), ("sample_steps", "2"));
        await page.ClickAsync("[data-testid=start-training]");
        await page.WaitForURLAsync(new Regex("/jobs/[0-9a-f-]+$"));

        // Cancel once training is under way: the job stops after its step and saves.
        await page.WaitForFunctionAsync($"() => [...document.querySelectorAll('[data-testid=job-progress] progress')].some(p => p.max == {steps} && p.value >= 3)",
            null, new() { Timeout = JobTimeoutMs });
        await page.ClickAsync("[data-testid=job-cancel]");
        await Expect(page.Locator("[data-testid=job-state]")).ToHaveTextAsync("cancelled", new() { Timeout = JobTimeoutMs });
        await Expect(page.Locator("[data-testid=job-resume]")).ToBeEnabledAsync();

        await page.ClickAsync("[data-testid=job-resume]");
        await Expect(page.Locator("[data-testid=job-state]")).ToHaveTextAsync("finished", new() { Timeout = JobTimeoutMs });
        // The second run took up the first one's checkpoint rather than starting again.
        await Expect(page.Locator("[data-job-messages]")).ToContainTextAsync(new Regex($"resuming run .* at step [1-9][0-9]* of {steps}"));
        await Expect(page.Locator("[data-testid=before-after-grid]")).ToBeVisibleAsync(new() { Timeout = JobTimeoutMs });
    }

    /// <summary>
    /// Opens the Train page, picks the quick-test preset and the sample images, and sets <paramref name="fields"/> in the
    /// form, each seen in the YAML view, until the page says the settings are ready.
    /// </summary>
    static async Task FillQuickTestAsync(UiProcess ui, IPage page, params (string Field, string Value)[] fields)
    {
        await page.GotoAsync(ui.Url("/train"));
        await page.ClickAsync("[data-testid=preset-card-quick-test]");
        // The preset's trainer brings its own options into the form.
        await Expect(page.Locator("[data-testid=trainer-options] legend")).ToContainTextAsync("lora");
        await page.SelectOptionAsync("[data-testid=images-root]", "samples");
        await page.FillAsync("[data-testid=images-path]", "sks-star");
        await page.PressAsync("[data-testid=images-path]", "Tab");
        foreach (var (field, value) in fields)
        {
            await page.FillAsync($"#f-{field}", value);
            await page.PressAsync($"#f-{field}", "Tab");
            await Expect(page.Locator("[data-testid=settings-yaml]")).ToHaveValueAsync(new Regex($"(^|\\n){field}: {value}\\n"));
        }
        await Expect(page.Locator("[data-testid=settings-status]")).ToHaveTextAsync("Ready to start.");
    }
}
