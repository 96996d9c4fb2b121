using YamlDotNet.RepresentationModel;

namespace DiffusionTune.Workflows.Settings;

/// <summary>
/// One setting of a training run, settable both on the command line (<c>--learning-rate</c>) and in a preset
/// (<c>learning_rate:</c>). Each kind reads itself from either source and checks its own range, so the two paths
/// accept exactly the same values; a host builds its input for each kind through <see cref="Accept{TResult}"/>. <see cref="TrainSettings"/> lists them all.
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

    /// <summary>Calls the <paramref name="visitor"/>'s method for this kind of setting.</summary>
    public abstract TResult Accept<TResult>(ITrainSettingVisitor<TResult> visitor);

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

    /// <summary>The problem of a list of <paramref name="count"/> entries when at most <paramref name="maxEntries"/> are allowed, or null.</summary>
    private protected static string? EntryCountProblem(int count, int maxEntries) =>
        count > maxEntries ? $"holds {count} entries; at most {maxEntries} are allowed" : null;

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
