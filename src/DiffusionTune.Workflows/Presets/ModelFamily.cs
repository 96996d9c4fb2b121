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

    /// <summary>
    /// The warning for a preset sized for another family than the embedded model when the run uses it (no --model
    /// given), or null.
    /// </summary>
    public static string? EmbeddedModelWarning(Preset preset, bool modelGiven) =>
        modelGiven || preset.MadeFor is null or ShapesWorld ? null
            : $"preset {preset.Name} is sized for {Known[preset.MadeFor]}; on the embedded shapes-world model its steps and learning rate may learn little in a time a CPU can give (quick-test is sized for it; give --model to train the model it is made for)";
}
