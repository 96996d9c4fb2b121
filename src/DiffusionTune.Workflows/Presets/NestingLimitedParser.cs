using DiffusionTune.Workflows.Settings;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace DiffusionTune.Workflows.Presets;

/// <summary>
/// A YAML parser that refuses lists and mappings nested deeper than <see cref="SettingLimits.PresetNesting"/>.
/// YamlDotNet builds its node tree by recursion, one call per level, so a file of 50,000 nested <c>[</c> would end the
/// process with a stack overflow; this stops it at the first level too many, naming the file and line.
/// </summary>
sealed class NestingLimitedParser(IParser parser, string path) : IParser
{
    int _depth;

    public ParsingEvent? Current => parser.Current;

    public bool MoveNext()
    {
        if (!parser.MoveNext()) return false;
        switch (parser.Current)
        {
            case SequenceStart or MappingStart when ++_depth > SettingLimits.PresetNesting:
                throw new TrainSettingsException([$"{path}:{parser.Current.Start.Line}: lists and mappings are nested more than {SettingLimits.PresetNesting} deep; a preset needs 2 at most (options: then name: value)"]);
            case SequenceEnd or MappingEnd:
                _depth--;
                break;
        }
        return true;
    }
}
