using DiffusionTune.Training.Plugins;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Plugins;

/// <summary>Where trainer plugins are looked for: the defaults, folders in DIFFUSIONTUNE_PLUGINS, and --plugins-folder.</summary>
public static class PluginRoots
{
    public const string EnvironmentVariable = "DIFFUSIONTUNE_PLUGINS";

    /// <summary>Loads the plugins of the default folders, DIFFUSIONTUNE_PLUGINS and <paramref name="extra"/> (relative folders from the current one).</summary>
    public static PluginCatalog Load(IEnumerable<string> extra)
    {
        var fromEnvironment = (Environment.GetEnvironmentVariable(EnvironmentVariable) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // The default folders need not exist; a folder the user names must.
        return PluginCatalog.Load([.. PluginCatalog.DefaultRoots().Where(Directory.Exists), .. fromEnvironment, .. extra]);
    }

    /// <summary>
    /// Loads the plugins as <see cref="Load"/> does, with a warning for each install problem and each plugin that failed
    /// (the others still load).
    /// </summary>
    public static PluginCatalog LoadWithWarnings(IEnumerable<string> extra, IWorkflowReporter reporter)
    {
        var catalog = Load(extra);
        foreach (var problem in catalog.InstallProblems) reporter.Warning(problem.Message);
        foreach (var failure in catalog.Failures) reporter.Warning($"plugin {failure.Folder} was not loaded: {failure.Reason}");
        return catalog;
    }
}
