using System.Globalization;
using DiffusionTune.Workflows.Settings;

namespace DiffusionTune.Workflows.Presets;

/// <summary>
/// The model a preset's steps and learning rate are sized for (its <c>made_for:</c> key): a preset sized for SD 1.5
/// learns little on the small embedded model at lengths a CPU can wait for, and the other way round burns.
/// </summary>
public static class ModelFamily
{
    /// <summary>The embedded 64×64 shapes-world model.</summary>
    public const string ShapesWorld = "shapes-world";

    /// <summary>Every family a preset may name, with how it is shown.</summary>
    public static IReadOnlyDictionary<string, string> Known { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [ShapesWorld] = "the embedded shapes-world model (64×64)",
        ["sd1.5"] = "Stable Diffusion 1.5 (512×512)",
        ["sd2"] = "Stable Diffusion 2.x (512 or 768 px)",
        ["sdxl"] = "Stable Diffusion XL (1024×1024)",
    };

    /// <summary>The problem with a <c>made_for:</c> value, or null when it names a known family.</summary>
    public static string? Problem(string value) =>
        Known.ContainsKey(value) ? null : $"must be one of {string.Join(", ", Known.Keys)}, not '{value}'";

    /// <summary>What <c>presets list</c> shows of the families a preset has settings for: "sd1.5 + shapes-world", or "—".</summary>
    public static string Summary(Preset preset) =>
        string.Join(" + ", new[] { preset.MadeFor, preset.ShapesWorldValues.Count > 0 ? ShapesWorld : null }.OfType<string>()) is { Length: > 0 } summary ? summary : "—";

    /// <summary>
    /// The line that says a run on the embedded model uses the preset's <c>shapes-world:</c> settings, with their
    /// values; null when it has none.
    /// </summary>
    public static string? EmbeddedSettingsLine(Preset preset) =>
        preset.ShapesWorldValues.Count == 0 ? null
            : $"On the embedded model: preset {preset.Name}'s {PresetReader.ShapesWorldKey}: settings apply "
              + $"({string.Join(", ", preset.ShapesWorldValues.Select(v => $"{v.Setting.PresetKey} {Shown(v.Value.Value)}"))})"
              + (preset.MadeFor is { } family and not ShapesWorld ? $"; give --model for its {Known[family]} settings" : "");

    /// <summary>
    /// The warning for a preset sized for another family than the embedded model, without settings for it, when the
    /// run uses the embedded model (no --model given), or null.
    /// </summary>
    public static string? EmbeddedModelWarning(Preset preset, bool modelGiven) =>
        modelGiven || preset.MadeFor is null or ShapesWorld || preset.ShapesWorldValues.Count > 0 ? null
            : $"preset {preset.Name} is sized for {Known[preset.MadeFor]}; on the embedded shapes-world model its steps and learning rate may learn little in a time a CPU can give (quick-test is sized for it; give --model to train the model it is made for)";

    /// <summary>A setting's value as a preset would write it (trainer options as name=value).</summary>
    static string Shown(object? value) => value switch
    {
        IReadOnlyList<NamedValue> options => string.Join(" ", options.Select(o => $"{o.Name}={o.Text}")),
        // Whole prompts would make the line a paragraph; `presets show` prints them.
        IReadOnlyList<string> list => list.Count == 1 ? "1 entry" : $"{list.Count} entries",
        bool flag => flag ? "true" : "false",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "null",
    };
}
