namespace DiffusionTune.Workflows.Settings;

/// <summary>One value of a setting and where it came from.</summary>
public sealed record SettingValue(object? Value, SettingOrigin Origin);
