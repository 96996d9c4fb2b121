using YamlDotNet.RepresentationModel;

namespace DiffusionTune.Workflows.Settings;

/// <summary>Where a setting's value came from, so that a problem names the place to fix it.</summary>
/// <param name="Place">A preset file and line (<c>my-style.yaml:12</c>), the option as typed (<c>--steps</c>), or "default".</param>
/// <param name="Subject">What at that place holds the value (a preset key such as <c>steps</c>); null when the place says it.</param>
public sealed record SettingOrigin(string Place, string? Subject = null)
{
    /// <summary>The built-in default of the setting.</summary>
    public static SettingOrigin Default { get; } = new("default");

    /// <summary>A node of a preset file (YamlDotNet counts lines from 1).</summary>
    public static SettingOrigin PresetLine(string file, YamlNode node, string subject) => new($"{file}:{node.Start.Line}", subject);

    /// <summary>A problem with the value, as shown to the user: <c>my-style.yaml:12: steps: must be at least 1, not 0</c>.</summary>
    public string Describe(string problem) => Subject is null ? $"{Place}: {problem}" : $"{Place}: {Subject}: {problem}";
}
