namespace DiffusionTune.BrowserTests;

/// <summary>An artist generates with the embedded model and makes a comparison grid, in the browser (tiny settings).</summary>
public sealed class GenerateJourneyTests
{
    const string Prompt = "a red star on a plain white background";

    /// <summary>Whether the image the locator finds has loaded and decoded (not a broken link).</summary>
    const string Decoded = "img => img.complete && img.naturalWidth > 0 ? img.naturalWidth : new Promise(r => img.onload = () => r(img.naturalWidth))";

    [BrowserFact]
    public async Task An_artist_generates_an_image_sees_it_arrive_and_reuses_its_settings_from_the_gallery()
    {
        await using var ui = await UiProcess.StartAsync();
        await using var browser = await UiBrowser.OpenAsync();
        var page = browser.Page;

        await page.GotoAsync(ui.Url("/generate"));
        await page.FillAsync("[data-testid=prompt]", Prompt);
        await page.FillAsync("[data-testid=seed]", "7");
        await page.FillAsync("[data-testid=steps]", "2");
        await page.FillAsync("[data-testid=width]", "64");
        await page.FillAsync("[data-testid=height]", "64");
        await page.SelectOptionAsync("[data-testid=sampler]", "euler");
        await page.ClickAsync("[data-testid=generate-button]");

        var image = page.Locator("[data-testid=generated-image] img").First;
        await image.WaitForAsync(new() { Timeout = 120_000 });
        Assert.Equal(64, await image.EvaluateAsync<int>(Decoded));
        await page.Locator("[data-testid=job-state]", new() { HasText = "finished" }).WaitForAsync(new() { Timeout = 120_000 });
        // The gallery below is refreshed when the job ends, with the image's recorded parameters.
        var item = page.Locator("[data-testid=gallery-image]").First;
        await item.WaitForAsync();
        Assert.Contains("Seed: 7", await item.Locator("[data-testid=gallery-parameters]").TextContentAsync());
        await browser.ScreenshotAsync("generate");

        await page.GotoAsync(ui.Url("/gallery"));
        await page.Locator("[data-testid=use-settings]").First.ClickAsync();
        await page.WaitForURLAsync("**/generate?job=*");
        Assert.Equal(Prompt, await page.InputValueAsync("[data-testid=prompt]"));
        Assert.Equal("7", await page.InputValueAsync("[data-testid=seed]"));
        Assert.Equal("euler", await page.InputValueAsync("[data-testid=sampler]"));
    }

    [BrowserFact]
    public async Task An_artist_makes_a_2x2_comparison_grid_and_watches_it_fill_in()
    {
        await using var ui = await UiProcess.StartAsync();
        await using var browser = await UiBrowser.OpenAsync();
        var page = browser.Page;

        await page.GotoAsync(ui.Url("/compare"));
        await page.FillAsync("[data-testid=compare-prompts]", Prompt);
        await page.FillAsync("[data-testid=steps]", "2");
        await page.FillAsync("[data-testid=width]", "64");
        await page.FillAsync("[data-testid=height]", "64");
        await page.SelectOptionAsync("[data-testid=x-axis]", "cfg");
        await page.FillAsync("[data-testid=x-values]", "1,3");
        await page.SelectOptionAsync("[data-testid=y-axis]", "seed");
        await page.FillAsync("[data-testid=y-values]", "1,2");
        await page.ClickAsync("[data-testid=compare-start]");

        // The table is laid out at once: 2 rows × 2 columns, then filled as cells finish.
        await page.Locator("[data-testid=grid-cell]").Nth(3).WaitForAsync();
        Assert.Equal(4, await page.Locator("[data-testid=grid-cell]").CountAsync());
        Assert.Equal(["cfg 1", "cfg 3"], (await page.Locator("#compare-grid thead th").AllInnerTextsAsync()).Skip(1));
        var final = page.Locator("[data-testid=compare-final-image]");
        await final.WaitForAsync(new() { Timeout = 120_000 });
        Assert.True(await final.EvaluateAsync<int>(Decoded) > 128);
        Assert.Equal(4, await page.Locator("[data-testid=grid-cell-image]").CountAsync());
        foreach (var cell in await page.Locator("[data-testid=grid-cell-image]").AllAsync())
            Assert.Equal(64, await cell.EvaluateAsync<int>(Decoded));
        await browser.ScreenshotAsync("compare");

        // The page's address names the job now: reopened, it lays out the same grid and fills it again.
        Assert.Contains("/compare?follow=", page.Url);
        await page.ReloadAsync();
        await page.Locator("[data-testid=compare-final-image]").WaitForAsync();
        Assert.Equal(4, await page.Locator("[data-testid=grid-cell-image]").CountAsync());
    }
}
