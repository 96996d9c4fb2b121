using System.CommandLine;
using System.CommandLine.Parsing;
using YamlDotNet.RepresentationModel;

namespace DiffusionTune.Cli.Commands.Train;

/// <summary>A repeatable setting: a list of texts (<c>--freeze A --freeze B</c>; a YAML list, or one value).</summary>
public sealed class ListSetting : TrainSetting<IReadOnlyList<string>>
{
    readonly int _maxEntries;

    internal ListSetting(string name, string description, int maxEntries = SettingLimits.ListEntries)
        : base(name, description, [], null, []) => _maxEntries = maxEntries;

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

    public override string? Problem(object? value) => EntryCountProblem(((IReadOnlyList<string>)value!).Count, _maxEntries);
}
