using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using DiffusionTune.Training.Engine;
using YamlDotNet.RepresentationModel;

namespace DiffusionTune.Cli.Commands.Train;

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

/// <summary>One value of a setting and where it came from.</summary>
public sealed record SettingValue(object? Value, SettingOrigin Origin);

/// <summary>One <c>name=value</c> entry (a trainer option, a block learning rate) and where it came from.</summary>
public sealed record NamedValue(string Name, string Text, SettingOrigin Origin);

/// <summary>Thrown by a setting's readers when a value does not fit it; the message says what was expected.</summary>
public sealed class SettingValueException(string message) : Exception(message);

/// <summary>
/// One option of the <c>train</c> command, settable both on the command line (<c>--learning-rate</c>) and in a preset
/// (<c>learning_rate:</c>). Each kind reads itself from either source and checks its own range, so the two paths
/// accept exactly the same values. <see cref="TrainSettings"/> lists them all.
/// </summary>
public abstract class TrainSetting
{
    private protected TrainSetting(string name, string description, string[] aliases, string? presetKey)
    {
        Name = name;
        Description = description;
        Aliases = aliases;
        PresetKey = presetKey ?? name.Replace('-', '_');
    }

    /// <summary>The name in kebab case, without dashes: <c>learning-rate</c>.</summary>
    public string Name { get; }

    /// <summary>The command-line option: <c>--learning-rate</c>.</summary>
    public string OptionName => "--" + Name;

    /// <summary>The key in a preset: the name in snake case (<c>learning_rate</c>).</summary>
    public string PresetKey { get; }

    public string Description { get; }

    /// <summary>Other spellings on the command line (<c>--lr</c>, <c>-t</c>).</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>The value when neither a preset nor the command line sets it.</summary>
    public abstract object? DefaultValue { get; }

    /// <summary>
    /// Whether a preset's value and the command line's are combined (entries added or replaced by name) instead of
    /// the command line's replacing the preset's.
    /// </summary>
    public virtual bool Merges => false;

    /// <summary>A new System.CommandLine option for this setting (symbols have one parent, so one per command).</summary>
    public abstract Option CreateOption();

    /// <summary>The value the user typed for this setting's option.</summary>
    public abstract object? ReadCommandLine(OptionResult result, SettingOrigin origin);

    /// <summary>The value of a preset node; throws <see cref="SettingValueException"/> when the node has the wrong type.</summary>
    public abstract object? ReadPreset(YamlNode node, string file);

    /// <summary>What is wrong with an in-type value (out of range, not a choice), or null when it is fine.</summary>
    public virtual string? Problem(object? value) => null;

    /// <summary>Combines a merging setting's earlier value with a later one; see <see cref="Merges"/>.</summary>
    public virtual object? Combine(object? earlier, object? later) => later;

    /// <summary>The scalar text of a preset node, or a <see cref="SettingValueException"/> saying a single value was expected.</summary>
    private protected static string Scalar(YamlNode node, string expected) => node switch
    {
        YamlScalarNode scalar => scalar.Value ?? "",
        YamlSequenceNode => throw new SettingValueException($"expected {expected}, not a list"),
        _ => throw new SettingValueException($"expected {expected}, not a mapping of keys"),
    };

    /// <summary>YAML's spellings of "no value": an empty plain scalar, <c>~</c> or <c>null</c>.</summary>
    private protected static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };
}

/// <summary>A setting whose value is a <typeparamref name="T"/>.</summary>
public abstract class TrainSetting<T> : TrainSetting
{
    private protected TrainSetting(string name, string description, string[] aliases, string? presetKey, T defaultValue)
        : base(name, description, aliases, presetKey) => Default = defaultValue;

    public T Default { get; }

    public override object? DefaultValue => Default;
}

/// <summary>
/// A setting of one value: a number (int, ulong, double, optionally null), a flag, free text or one of a few choices.
/// </summary>
public sealed class ScalarSetting<T> : TrainSetting<T>
{
    readonly Func<T, string?>? _check;

    internal ScalarSetting(string name, string description, T defaultValue, Func<T, string?>? check = null,
        string[]? aliases = null, IReadOnlyList<string>? choices = null)
        : base(name, description, aliases ?? [], null, defaultValue)
    {
        _check = check;
        Choices = choices ?? [];
    }

    /// <summary>The allowed values of a choice setting (compared ignoring case); empty for other settings.</summary>
    public IReadOnlyList<string> Choices { get; }

    public override Option CreateOption()
    {
        var option = new Option<T>(OptionName, [.. Aliases]) { Description = Description };
        if (Default is not null) option.DefaultValueFactory = _ => Default;
        if (Choices.Count > 0) option.HelpName = string.Join("|", Choices);
        return option;
    }

    public override object? ReadCommandLine(OptionResult result, SettingOrigin origin) => Normalize(result.GetValueOrDefault<T>());

    public override object? ReadPreset(YamlNode node, string file)
    {
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        bool nullable = !typeof(T).IsValueType || type != typeof(T);
        if (IsNull(node))
            return nullable ? null : throw new SettingValueException($"needs a value ({Expected(type)})");
        var text = Scalar(node, Expected(type));
        object? value = type switch
        {
            _ when type == typeof(int) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null,
            _ when type == typeof(ulong) => ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var u) ? u : null,
            _ when type == typeof(double) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null,
            _ when type == typeof(bool) => bool.TryParse(text, out var b) ? b : null,
            _ => text,
        };
        return value is null ? throw new SettingValueException($"expected {Expected(type)}, not '{text}'") : Normalize((T)value);
    }

    public override string? Problem(object? value)
    {
        if (Choices.Count > 0 && value is string text && !Choices.Contains(text, StringComparer.OrdinalIgnoreCase))
            return $"must be one of {string.Join(", ", Choices)}, not '{text}'{NameSuggestions.Hint(text, Choices)}";
        return _check?.Invoke((T)value!);
    }

    /// <summary>Choices are kept in their canonical spelling, whatever case the user typed.</summary>
    object? Normalize(T value) =>
        Choices.Count > 0 && value is string text ? Choices.FirstOrDefault(c => c.Equals(text, StringComparison.OrdinalIgnoreCase)) ?? text : value;

    string Expected(Type type) => Choices.Count > 0 ? $"one of {string.Join(", ", Choices)}"
        : type == typeof(int) || type == typeof(ulong) ? "a whole number"
        : type == typeof(double) ? "a number"
        : type == typeof(bool) ? "true or false"
        : "text";
}

/// <summary>A repeatable setting: a list of texts (<c>--freeze A --freeze B</c>; a YAML list, or one value).</summary>
public sealed class ListSetting : TrainSetting<IReadOnlyList<string>>
{
    internal ListSetting(string name, string description) : base(name, description, [], null, []) { }

    public override Option CreateOption() => new Option<string[]>(OptionName)
    {
        Description = Description,
        DefaultValueFactory = _ => [],
        AllowMultipleArgumentsPerToken = true,
    };

    public override object? ReadCommandLine(OptionResult result, SettingOrigin origin) => result.GetValueOrDefault<string[]>() ?? [];

    public override object? ReadPreset(YamlNode node, string file) => node switch
    {
        _ when IsNull(node) => Array.Empty<string>(),
        YamlSequenceNode list => list.Children.Select(item => Scalar(item, "text in each list item")).ToArray(),
        _ => new[] { Scalar(node, "a list of texts") },
    };
}

/// <summary>
/// A setting of <c>name=value</c> entries: repeatable <c>--option rank=8</c> on the command line, a mapping
/// (<c>rank: 8</c>) in a preset. What the values mean is checked later by their user (the trainer, the engine).
/// </summary>
public sealed class NamedValuesSetting : TrainSetting<IReadOnlyList<NamedValue>>
{
    readonly bool _merges;

    internal NamedValuesSetting(string name, string description, string[]? aliases = null, string? presetKey = null, bool merges = false)
        : base(name, description, aliases ?? [], presetKey, []) => _merges = merges;

    public override bool Merges => _merges;

    public override Option CreateOption() => new Option<string[]>(OptionName, [.. Aliases])
    {
        Description = Description,
        HelpName = "NAME=VALUE",
        DefaultValueFactory = _ => [],
        AllowMultipleArgumentsPerToken = true,
    };

    public override object? ReadCommandLine(OptionResult result, SettingOrigin origin) =>
        (result.GetValueOrDefault<string[]>() ?? []).Select(item =>
        {
            int equals = item.IndexOf('=');
            if (equals <= 0) throw new SettingValueException($"takes name=value, not '{item}'");
            return new NamedValue(item[..equals].Trim(), item[(equals + 1)..].Trim(), new SettingOrigin($"{origin.Place} {item}"));
        }).ToArray();

    public override object? ReadPreset(YamlNode node, string file)
    {
        if (IsNull(node)) return Array.Empty<NamedValue>();
        if (node is not YamlMappingNode mapping) throw new SettingValueException("expected a mapping of names to values (name: value on indented lines)");
        return mapping.Children.Select(entry => new NamedValue(
            Scalar(entry.Key, "a name"),
            Scalar(entry.Value, $"a single value for '{(entry.Key as YamlScalarNode)?.Value}'"),
            SettingOrigin.PresetLine(file, entry.Key, PresetKey))).ToArray();
    }

    public override object? Combine(object? earlier, object? later)
    {
        var combined = ((IReadOnlyList<NamedValue>?)earlier ?? []).ToList();
        foreach (var entry in (IReadOnlyList<NamedValue>?)later ?? [])
        {
            combined.RemoveAll(e => e.Name.Equals(entry.Name, StringComparison.OrdinalIgnoreCase));
            combined.Add(entry);
        }
        return combined;
    }
}
