namespace DiffusionTune.Workflows.Settings;

/// <summary>One <c>name=value</c> entry (a trainer option, a block learning rate) and where it came from.</summary>
public sealed record NamedValue(string Name, string Text, SettingOrigin Origin);
