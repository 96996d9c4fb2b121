using Microsoft.Playwright;

namespace DiffusionTune.BrowserTests;

/// <summary>
/// A headless Chromium page on a running UI. <see cref="ScreenshotAsync"/> saves full-page pictures to
/// DIFFUSIONTUNE_UI_SCREENSHOTS when set (docs/ui/ keeps the current ones; see docs/ui.md), else beside the tests.
/// </summary>
sealed class UiBrowser : IAsyncDisposable
{
    readonly IPlaywright _playwright;
    readonly IBrowser _browser;

    UiBrowser(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
    }

    public IPage Page { get; }

    public static async Task<UiBrowser> OpenAsync()
    {
        var executable = SystemChromium.Path ?? throw new InvalidOperationException(SystemChromium.Missing);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = executable, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        // Generous: the server shares two cores with the browser and, in some tests, with training.
        page.SetDefaultTimeout(30_000);
        return new UiBrowser(playwright, browser, page);
    }

    /// <summary>Saves the page as <paramref name="name"/>.png and returns the file.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        // A relative folder is the repository's (docs/ui), not the test runner's working folder.
        var folder = Environment.GetEnvironmentVariable("DIFFUSIONTUNE_UI_SCREENSHOTS") is { Length: > 0 } given
            ? Path.GetFullPath(given, RepositoryRoot())
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".png");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "DiffusionTune.sln"))) return folder.FullName;
        throw new InvalidOperationException($"no DiffusionTune.sln above {AppContext.BaseDirectory}");
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
