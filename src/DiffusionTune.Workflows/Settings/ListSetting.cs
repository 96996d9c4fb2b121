using YamlDotNet.RepresentationModel;

namespace DiffusionTune.Workflows.Settings;

/// <summary>A repeatable setting: a list of texts (<c>--freeze A --freeze B</c>; a YAML list, or one value).</summary>
public sealed class ListSetting : TrainSetting<IReadOnlyList<string>>
{
    readonly int _maxEntries;

    internal ListSetting(string name, string description, int maxEntries = SettingLimits.ListEntries)
        : base(name, description, [], null, []) => _maxEntries = maxEntries;

    public override TResult Accept<TResult>(ITrainSettingVisitor<TResult> visitor) => visitor.List(this);

    public override object? ReadPreset(YamlNode node, string file) => node switch
    {
        _ when IsNull(node) => Array.Empty<string>(),
        YamlSequenceNode list => list.Children.Select(item => Scalar(item, "text in each list item")).ToArray(),
        _ => new[] { Scalar(node, "a list of texts") },
    };

    public override string? Problem(object? value) => EntryCountProblem(((IReadOnlyList<string>)value!).Count, _maxEntries);
}
