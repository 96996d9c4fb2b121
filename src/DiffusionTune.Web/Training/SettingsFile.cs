namespace DiffusionTune.Web.Training;

/// <summary>The name the settings YAML of the Train page goes by in messages (<c>settings:3: steps: …</c>), as a preset file's name does in the CLI's.</summary>
public static class SettingsFile
{
    public const string Name = "settings";
}
