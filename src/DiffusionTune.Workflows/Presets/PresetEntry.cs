namespace DiffusionTune.Workflows.Presets;

/// <summary>A preset file found in one of the preset folders.</summary>
/// <param name="Name">The file name without extension.</param>
/// <param name="Path">The file.</param>
/// <param name="Source">Which folder it came from: "built-in", "user" or "--presets-folder".</param>
/// <param name="HiddenBy">The file of the same name that takes precedence, or null when this one is used.</param>
public sealed record PresetEntry(string Name, string Path, string Source, string? HiddenBy);
