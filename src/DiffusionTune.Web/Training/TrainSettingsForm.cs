using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DiffusionTune.Workflows.Presets;
using DiffusionTune.Workflows.Settings;

namespace DiffusionTune.Web.Training;

/// <summary>
/// The Train page's settings form and its YAML view, each turned into the other. Form fields are named by preset key
/// (<c>learning_rate</c>; the trainer's own options <c>option.NAME</c>); an empty field is not set (the preset's value or
/// the default applies). The YAML is preset YAML, read back by <see cref="PresetReader"/>, so both views pass the same checks.
/// </summary>
public static partial class TrainSettingsForm
{
    /// <summary>The prefix of a trainer option's field: <c>option.rank</c>.</summary>
    public const string OptionPrefix = "option.";

    /// <summary>The YAML of the fields that are set, in the order of <see cref="TrainSettings.All"/>.</summary>
    /// <param name="problems">Receives, by preset key, the lines of a list field that cannot be read (<c>name=value</c> expected).</param>
    public static string ToYaml(IReadOnlyDictionary<string, string> fields, IDictionary<string, List<string>> problems)
    {
        var yaml = new StringBuilder();
        foreach (var setting in TrainSettings.All.Where(TrainRequestBuilder.Editable))
        {
            var text = fields.GetValueOrDefault(setting.PresetKey)?.Trim() ?? "";
            switch (setting)
            {
                case ListSetting:
                    var items = Lines(text);
                    if (items.Count == 0) continue;
                    yaml.Append(setting.PresetKey).Append(":\n");
                    foreach (var item in items) yaml.Append("  - ").Append(Scalar(item)).Append('\n');
                    break;
                case NamedValuesSetting named:
                    var entries = setting == TrainSettings.TrainerOptions ? OptionFields(fields) : NamedLines(named, text, problems);
                    if (entries.Count == 0) continue;
                    yaml.Append(setting.PresetKey).Append(":\n");
                    foreach (var (name, value) in entries) yaml.Append("  ").Append(Scalar(name)).Append(": ").Append(Scalar(value)).Append('\n');
                    break;
                default:
                    if (text.Length > 0) yaml.Append(setting.PresetKey).Append(": ").Append(Scalar(text)).Append('\n');
                    break;
            }
        }
        return yaml.ToString();
    }

    /// <summary>The form fields of <paramref name="yaml"/> (only those it sets).</summary>
    /// <exception cref="TrainSettingsException">The YAML cannot be read (the reader's problems, with their lines).</exception>
    public static Dictionary<string, string> FromYaml(string yaml)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(yaml)) return fields;
        foreach (var (setting, value) in PresetReader.Parse(SettingsFile.Name, yaml).Values)
        {
            switch (value.Value)
            {
                case IReadOnlyList<NamedValue> entries when setting == TrainSettings.TrainerOptions:
                    foreach (var entry in entries) fields[OptionPrefix + entry.Name] = entry.Text;
                    break;
                case IReadOnlyList<NamedValue> entries:
                    fields[setting.PresetKey] = string.Join('\n', entries.Select(e => $"{e.Name}={e.Text}"));
                    break;
                case IReadOnlyList<string> items:
                    fields[setting.PresetKey] = string.Join('\n', items);
                    break;
                default:
                    fields[setting.PresetKey] = Text(value.Value);
                    break;
            }
        }
        return fields;
    }

    /// <summary>A value as a field shows it: numbers in invariant culture, flags as <c>true</c>/<c>false</c>, nothing as "".</summary>
    public static string Text(object? value) => value switch
    {
        null => "",
        bool flag => flag ? "true" : "false",
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IReadOnlyList<NamedValue> entries => string.Join('\n', entries.Select(e => $"{e.Name}={e.Text}")),
        IReadOnlyList<string> items => string.Join('\n', items),
        _ => value.ToString() ?? "",
    };

    /// <summary>The preset key a problem line names (<c>settings:3: steps: …</c> or <c>PRESET.yaml:18: warmup_steps: …</c>), or null.</summary>
    public static string? FieldOf(string problem) =>
        ProblemLine().Match(problem) is { Success: true } match && TrainSettings.FromPresetKey(match.Groups[1].Value) is { } setting ? setting.PresetKey : null;

    static List<(string Name, string Value)> OptionFields(IReadOnlyDictionary<string, string> fields) =>
        [.. fields.Where(f => f.Key.StartsWith(OptionPrefix, StringComparison.Ordinal) && f.Key.Length > OptionPrefix.Length && f.Value.Trim().Length > 0)
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => (f.Key[OptionPrefix.Length..], f.Value.Trim()))];

    static List<(string Name, string Value)> NamedLines(NamedValuesSetting setting, string text, IDictionary<string, List<string>> problems)
    {
        var entries = new List<(string, string)>();
        foreach (var line in Lines(text))
        {
            try
            {
                var entry = setting.FromInput([line], new SettingOrigin(setting.PresetKey))[0];
                entries.Add((entry.Name, entry.Text));
            }
            catch (SettingValueException e)
            {
                if (!problems.TryGetValue(setting.PresetKey, out var list)) problems[setting.PresetKey] = list = [];
                list.Add($"{setting.PresetKey}: {e.Message}");
            }
        }
        return entries;
    }

    static List<string> Lines(string text) =>
        [.. text.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0)];

    /// <summary>
    /// A YAML scalar: plain when it reads back as the same text, else double-quoted (JSON's escapes are YAML's). The
    /// reader reads every scalar as text first, so a quoted number is still a number to it.
    /// </summary>
    static string Scalar(string text) =>
        PlainScalar().IsMatch(text) && text is not ("null" or "Null" or "NULL" or "~") ? text : JsonSerializer.Serialize(text, Readable);

    static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [GeneratedRegex(@"^[A-Za-z0-9_.+\-][A-Za-z0-9_.+\-/]*$")]
    private static partial Regex PlainScalar();

    [GeneratedRegex(@"^.+?:\d+: ([a-z_]+): ")]
    private static partial Regex ProblemLine();
}
