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

    /// <summary>
    /// The settings of its <c>shapes-world:</c> section, in file order: on the embedded model (no model given) they
    /// replace the top-level ones of the same key; empty when it has none.
    /// </summary>
    public IReadOnlyList<(TrainSetting Setting, SettingValue Value)> ShapesWorldValues { get; init; } = [];

    /// <summary>Whether the preset itself names a model (then its <c>shapes-world:</c> section never applies).</summary>
    public bool NamesModel => Values.Any(v => v.Setting == TrainSettings.Model);

    /// <summary>The trainer the preset names, or null.</summary>
    public string? Trainer => Values.Where(v => v.Setting == TrainSettings.Trainer).Select(v => (string?)v.Value.Value).FirstOrDefault();

    /// <summary>
    /// Overlays the preset's settings on <paramref name="values"/>: the top-level ones, then, when the run uses the
    /// embedded model, those of its <c>shapes-world:</c> section.
    /// </summary>
    public void ApplyTo(TrainSettingValues values, bool onEmbeddedModel)
    {
        foreach (var (setting, value) in onEmbeddedModel ? Values.Concat(ShapesWorldValues) : Values) values.Set(setting, value);
    }
}
