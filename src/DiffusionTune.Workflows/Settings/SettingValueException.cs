namespace DiffusionTune.Workflows.Settings;

/// <summary>Thrown by a setting's readers when a value does not fit it; the message says what was expected.</summary>
public sealed class SettingValueException(string message) : Exception(message);
