namespace DiffusionTune.Workflows.Settings;

/// <summary>
/// Bounds on what a preset file and the <c>train</c> settings may hold: far above anything a real run uses, low enough
/// that a broken or hostile file is refused in one line before it costs memory, time or the process (a YAML reader
/// recurses once per nesting level, and a sample grid renders once per prompt).
/// </summary>
public static class SettingLimits
{
    /// <summary>Length of a preset file in characters (1 MiB of ASCII text); the shipped ones are under 2 KB.</summary>
    public const int PresetFileLength = 1 << 20;

    /// <summary>Lists and mappings inside each other in a preset file; a preset needs two (<c>options:</c> → <c>rank: 8</c>).</summary>
    public const int PresetNesting = 16;

    /// <summary>Problems listed for one preset; beyond that, only their count.</summary>
    public const int ReportedProblems = 20;

    /// <summary>Sample prompts: each is an image of every sample grid.</summary>
    public const int SamplePrompts = 256;

    /// <summary>Entries of the other list settings: freeze prefixes, block learning rates, trainer options.</summary>
    public const int ListEntries = 1000;
}
