namespace DiffusionTune.BrowserTests;

/// <summary>
/// The Chromium the tests drive: DIFFUSIONTUNE_CHROMIUM when set, else the first of the usual names on the PATH
/// (Debian's <c>chromium</c>, Ubuntu's <c>chromium-browser</c>, Google Chrome). Playwright's own browser download is
/// never used: it needs internet access a build machine may not have.
/// </summary>
static class SystemChromium
{
    const string Variable = "DIFFUSIONTUNE_CHROMIUM";

    static readonly string[] Names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

    /// <summary>The executable, or null when none is installed.</summary>
    public static string? Path { get; } = Find();

    /// <summary>Why the browser tests cannot run here, for the skip reason and the failure message.</summary>
    public static string Missing =>
        $"no Chromium found (looked for {Variable}, then {string.Join(", ", Names)} on the PATH); install one (Debian/Ubuntu: apt-get install chromium) or set {Variable}";

    static string? Find()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
            return File.Exists(given) ? given : throw new FileNotFoundException($"{Variable}: no such file: {given}", given);
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return Names.SelectMany(name => folders.Select(folder => System.IO.Path.Combine(folder, name))).FirstOrDefault(File.Exists);
    }
}
