using DiffusionTune.Workflows.Presets;
using DiffusionTune.Workflows.Settings;

namespace DiffusionTune.Workflows.Training;

/// <summary>What the user asked <c>train</c> for.</summary>
/// <param name="Preset">A preset name or file, or null.</param>
/// <param name="PresetFolders">Extra preset folders (<c>--presets-folder</c>).</param>
/// <param name="PluginFolders">Extra plugin folders (<c>--plugins-folder</c>).</param>
/// <param name="CommandLine">The settings given explicitly on the command line, in the order of <see cref="TrainSettings.All"/>.</param>
public sealed record TrainRequest(string? Preset, IReadOnlyList<string> PresetFolders, IReadOnlyList<string> PluginFolders,
    IReadOnlyList<(TrainSetting Setting, SettingValue Value)> CommandLine)
{
    /// <summary>Whether the command line sets <paramref name="setting"/>.</summary>
    public bool Gives(TrainSetting setting) => CommandLine.Any(given => given.Setting == setting);
}
