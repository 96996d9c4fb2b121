namespace DiffusionTune.BrowserTests;

/// <summary>
/// A test in a real browser. Skipped, saying why, on a machine without Chromium — unless
/// DIFFUSIONTUNE_REQUIRE_BROWSER=1 (CI sets it), where it runs and fails for want of one.
/// </summary>
sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (SystemChromium.Path is null && Environment.GetEnvironmentVariable("DIFFUSIONTUNE_REQUIRE_BROWSER") != "1")
            Skip = SystemChromium.Missing;
    }
}
