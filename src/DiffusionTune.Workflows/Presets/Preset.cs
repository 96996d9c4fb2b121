using DiffusionTune.Workflows.Settings;


namespace DiffusionTune.Workflows.Presets;

/// <summary>
/// A training preset: settings of the <c>train</c> command read from a YAML file (<see cref="PresetReader"/>), each
/// with the line it came from. Applied before the command line, so any option given there wins.
/// </summary>
/// <param name="Name">The file name without extension (what <c>--preset NAME</c> selects).</param>
/// <param name="FilePath">The file it was read from.</param>
/// <param name="Description">Its one-line <c>description:</c>, or null.</param>
/// <param name="Values">The settings it sets, in file order.</param>
public sealed record Preset(string Name, string FilePath, string? Description, IReadOnlyList<(TrainSetting Setting, SettingValue Value)> Values)
{
    /// <summary>The model family its settings are sized for (<see cref="ModelFamily"/>), or null when it does not say.</summary>
    public string? MadeFor { get; init; }

    /// <summary>The trainer the preset names, or null.</summary>
    public string? Trainer => Values.Where(v => v.Setting == TrainSettings.Trainer).Select(v => (string?)v.Value.Value).FirstOrDefault();

    /// <summary>Overlays the preset's settings on <paramref name="values"/>.</summary>
    public void ApplyTo(TrainSettingValues values)
    {
        foreach (var (setting, value) in Values) values.Set(setting, value);
    }
}
