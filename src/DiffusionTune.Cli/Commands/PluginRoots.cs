using System.CommandLine;
using DiffusionTune.Training.Plugins;

namespace DiffusionTune.Cli.Commands;

/// <summary>Where trainer plugins are looked for: the defaults, folders in DIFFUSIONTUNE_PLUGINS, and --plugins-folder.</summary>
public static class PluginRoots
{
    public const string EnvironmentVariable = "DIFFUSIONTUNE_PLUGINS";

    public static Option<string[]> Option() => new("--plugins-folder")
    {
        Description = $"Extra folders of trainer plugins (each holding <Name>/<Name>.dll); also read from {EnvironmentVariable}",
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => [],
    };

    public static PluginCatalog Load(IEnumerable<string> extra)
    {
        var fromEnvironment = (Environment.GetEnvironmentVariable(EnvironmentVariable) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return PluginCatalog.Load([.. PluginCatalog.DefaultRoots(), .. fromEnvironment, .. extra]);
    }
}
