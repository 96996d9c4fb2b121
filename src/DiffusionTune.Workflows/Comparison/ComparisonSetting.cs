using System.Globalization;
using DiffusionTune.Workflows.Generation;

namespace DiffusionTune.Workflows.Comparison;

/// <summary>The sampling settings a comparison grid can lay out along its X (columns) or Y (rows) axis.</summary>
public enum SettingAxis
{
    Cfg,
    Steps,
    Sampler,
    Seed,
    Prompt,
}

/// <summary>
/// One value along a grid axis over a sampling setting (<c>--x cfg:5,7,9</c>, <c>--y steps:10,20</c>): it overrides
/// that setting of every cell in its column or row, over the prompt line's own value and the command's.
/// </summary>
public sealed record ComparisonSetting(SettingAxis Axis, string Value)
{
    /// <summary>The heading of its column or the tail of its row label: <c>cfg 7</c>, or the prompt itself.</summary>
    public string Label => Axis == SettingAxis.Prompt ? Value : $"{Axis.ToString().ToLowerInvariant()} {Value}";

    /// <summary><paramref name="row"/> with this setting applied.</summary>
    public ComparisonRow Apply(ComparisonRow row) => Axis switch
    {
        SettingAxis.Cfg => row with { Prompt = row.Prompt with { Cfg = double.Parse(Value, CultureInfo.InvariantCulture) } },
        SettingAxis.Steps => row with { Prompt = row.Prompt with { Steps = int.Parse(Value, CultureInfo.InvariantCulture) } },
        SettingAxis.Sampler => row with { Prompt = row.Prompt with { Sampler = Value } },
        SettingAxis.Seed => row with { Seed = long.Parse(Value, CultureInfo.InvariantCulture) },
        _ => row with { Prompt = row.Prompt with { Prompt = Value } },
    };

    /// <summary>
    /// Parses <c>AXIS:V1,V2,…</c> (prompts separated by '|', as they contain commas), checking every value as the
    /// command would: cfg a number ≥ 0, steps 1–1000, a known sampler, a seed ≥ 0, a prompt not blank.
    /// </summary>
    /// <param name="option">The option, for messages (<c>--x</c>).</param>
    /// <exception cref="ArgumentException">The axis is unknown, a value is malformed or repeated, or there is none.</exception>
    public static IReadOnlyList<ComparisonSetting> ParseAxis(string option, string text)
    {
        int colon = text.IndexOf(':');
        var name = colon < 0 ? text : text[..colon];
        if (!Enum.TryParse<SettingAxis>(name.Trim(), ignoreCase: true, out var axis) || !Enum.IsDefined(axis) || name.Trim().All(char.IsDigit))
            throw new ArgumentException($"{option} {text}: '{name}' is not an axis (write AXIS:V1,V2 with AXIS one of cfg, steps, sampler, seed, prompt)");
        if (colon < 0 || text[(colon + 1)..].Trim().Length == 0) throw new ArgumentException($"{option} {text}: no values (write {name}:V1,V2)");
        var values = text[(colon + 1)..].Split(axis == SettingAxis.Prompt ? '|' : ',', StringSplitOptions.TrimEntries);
        var settings = new List<ComparisonSetting>();
        foreach (var value in values)
        {
            var problem = axis switch
            {
                SettingAxis.Cfg => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var cfg) && double.IsFinite(cfg) && cfg >= 0 ? null : "is not a CFG scale (a number ≥ 0)",
                SettingAxis.Steps => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var steps) && steps is >= 1 and <= 1000 ? null : "is not a step count (1 to 1000)",
                SettingAxis.Seed => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? null : "is not a seed (a whole number ≥ 0)",
                SettingAxis.Sampler => KnownSampler(value) ? null : "is not a sampler (see generate --help)",
                _ => value.Length > 0 ? null : "is an empty prompt",
            };
            if (problem is not null) throw new ArgumentException($"{option} {text}: '{value}' {problem}");
            if (settings.Any(s => s.Value == value)) throw new ArgumentException($"{option} {text}: '{value}' is given twice");
            settings.Add(new ComparisonSetting(axis, value));
        }
        return settings;
    }

    static bool KnownSampler(string value)
    {
        try
        {
            SamplingSettings.ParseSampler(value);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
