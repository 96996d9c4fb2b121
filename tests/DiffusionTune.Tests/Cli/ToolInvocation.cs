namespace DiffusionTune.Tests.Cli;

/// <summary>Recognises the two ways the README runs DiffusionTune, and what they pass to it.</summary>
static class ToolInvocation
{
    const string ProjectPath = "src/DiffusionTune.Cli";

    /// <summary>
    /// The tool's arguments when <paramref name="words"/> run it — <c>diffusiontune ARGS</c> (the installed tool) or
    /// <c>dotnet run [OPTIONS] --project src/DiffusionTune.Cli [OPTIONS] -- ARGS</c> (from a clone) — else null.
    /// </summary>
    public static string[]? Arguments(string[] words)
    {
        if (words is ["diffusiontune", .. var arguments]) return arguments;
        if (words is not ["dotnet", "run", .. var rest]) return null;
        int separator = Array.IndexOf(rest, "--");
        var dotnetRunOptions = separator < 0 ? rest : rest[..separator];
        int project = Array.IndexOf(dotnetRunOptions, "--project");
        if (project < 0 || project + 1 >= dotnetRunOptions.Length || dotnetRunOptions[project + 1].TrimEnd('/') != ProjectPath) return null;
        return separator < 0 ? [] : rest[(separator + 1)..];
    }
}
