using YamlDotNet.RepresentationModel;

namespace DiffusionTune.Workflows.Settings;

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

    public override string? Problem(object? value) => EntryCountProblem(((IReadOnlyList<NamedValue>)value!).Count, SettingLimits.ListEntries);

    public override TResult Accept<TResult>(ITrainSettingVisitor<TResult> visitor) => visitor.NamedValues(this);

    /// <summary>The entries a user typed as <c>name=value</c> (<c>--option rank=8</c>), each with where it came from.</summary>
    public IReadOnlyList<NamedValue> FromInput(IEnumerable<string> items, SettingOrigin origin) =>
        items.Select(item =>
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
