using DiffusionTune.IO;
using DiffusionTune.Training.Engine;
using DiffusionTune.Workflows.Settings;
using DiffusionTune.Workflows.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DiffusionTune.Workflows.Presets;

/// <summary>
/// Reads a preset file: one YAML mapping whose keys are <see cref="TrainSettings"/>' preset keys plus
/// <c>description</c>, <c>made_for</c> and a <c>shapes-world:</c> section (train settings again, which replace the
/// top-level ones when the run uses the embedded model). Every problem (bad YAML, unknown keys with a did-you-mean, wrong types, out-of-range values)
/// is collected with its file and line, and all are reported together in one <see cref="TrainSettingsException"/>.
/// Trainer options are checked later, against the trainer actually loaded (<see cref="TrainPreflight"/>).
/// </summary>
public static class PresetReader
{
    /// <summary>The preset-only key: one line shown by <c>presets list</c>.</summary>
    public const string DescriptionKey = "description";

    /// <summary>The preset-only key naming the model family its settings are sized for (<see cref="ModelFamily"/>).</summary>
    public const string MadeForKey = "made_for";

    /// <summary>
    /// The section of settings for the embedded model: named after its family, so a preset reads "made_for: sd1.5 …
    /// shapes-world: …".
    /// </summary>
    public const string ShapesWorldKey = ModelFamily.ShapesWorld;

    /// <summary>Reads and checks the preset file at <paramref name="path"/>.</summary>
    public static Preset Read(string path) => Parse(path, ReadText(path));

    /// <summary>
    /// The text of the preset file at <paramref name="path"/>, refused when it is longer than a preset can be (read up to
    /// that length only, so neither a huge file nor an endless one such as <c>/dev/zero</c> is read to its end).
    /// </summary>
    public static string ReadText(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: preset file not found", path);
        using var reader = FileAccessException.Guard(path, "read", () => new StreamReader(path));
        var text = new char[SettingLimits.PresetFileLength + 1];
        int length = reader.ReadBlock(text);
        if (length > SettingLimits.PresetFileLength)
            throw new TrainSettingsException([$"{path}: longer than {SettingLimits.PresetFileLength / 1024} KB, too long for a preset file (presets are a few KB)"]);
        return new string(text, 0, length);
    }

    /// <summary>Checks the preset <paramref name="yaml"/>, read from <paramref name="path"/>.</summary>
    public static Preset Parse(string path, string yaml)
    {
        var stream = new YamlStream();
        var parser = new NestingLimitedParser(new Parser(new StringReader(yaml)), path);
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            throw new TrainSettingsException([$"{path}:{e.Start.Line}: not valid YAML: {Reason(e)}"]);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way, without a position, on a [ or { list left open at the end of the
            // file; the last thing it parsed is where that list starts.
            throw new TrainSettingsException([$"{path}:{parser.Current?.Start.Line ?? 1}: not valid YAML: a [ or {{ list that is not closed"]);
        }
        if (stream.Documents.Count != 1)
            throw new TrainSettingsException([$"{path}:1: a preset is one YAML document, this file holds {stream.Documents.Count}"]);
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new TrainSettingsException([$"{path}:{stream.Documents[0].RootNode.Start.Line}: a preset is a mapping of keys to values (key: value lines)"]);

        var problems = new List<string>();
        var values = new List<(TrainSetting, SettingValue)>();
        List<(TrainSetting, SettingValue)>? shapesWorld = null;
        string? description = null;
        string? madeFor = null;
        foreach (var (key, keyNode, valueNode) in NamedEntries(root, path, problems))
        {
            var origin = SettingOrigin.PresetLine(path, keyNode, key);
            if (key == DescriptionKey)
            {
                if (valueNode is YamlScalarNode { Value: var text }) description = text;
                else problems.Add(origin.Describe("expected one line of text"));
                continue;
            }
            if (key == MadeForKey)
            {
                if (valueNode is not YamlScalarNode { Value: { } family }) problems.Add(origin.Describe("expected a model family"));
                else if (ModelFamily.Problem(family) is { } problem) problems.Add(origin.Describe(problem));
                else madeFor = family;
                continue;
            }
            if (key == ShapesWorldKey)
            {
                if (valueNode is YamlMappingNode section) shapesWorld = ReadSection(section, path, problems);
                else problems.Add(origin.Describe("expected the settings for the embedded model, one indented 'key: value' line each"));
                continue;
            }
            if (TrainSettings.FromPresetKey(key) is not { } setting)
            {
                problems.Add($"{path}:{keyNode.Start.Line}: unknown key '{key}'{NameSuggestions.Hint(key, [DescriptionKey, MadeForKey, ShapesWorldKey, .. TrainSettings.PresetKeys])}");
                continue;
            }
            ReadSetting(setting, valueNode, origin, path, values, problems);
        }
        if (shapesWorld is not null && madeFor == ModelFamily.ShapesWorld)
            problems.Add($"{path}: a preset made_for: {ModelFamily.ShapesWorld} is already sized for the embedded model; put the {ShapesWorldKey}: settings at the top level");
        if (problems.Count > SettingLimits.ReportedProblems)
            problems = [.. problems.Take(SettingLimits.ReportedProblems), $"{path}: and {problems.Count - SettingLimits.ReportedProblems} more problems"];
        if (problems.Count > 0) throw new TrainSettingsException(problems);
        return new Preset(Path.GetFileNameWithoutExtension(path), path, description, values) { MadeFor = madeFor, ShapesWorldValues = shapesWorld ?? [] };
    }

    /// <summary>
    /// The settings of the <c>shapes-world:</c> section: train settings only (not <c>model</c>: the section applies
    /// exactly when no model is given), checked as the top-level ones are.
    /// </summary>
    static List<(TrainSetting, SettingValue)> ReadSection(YamlMappingNode section, string path, List<string> problems)
    {
        var values = new List<(TrainSetting, SettingValue)>();
        foreach (var (key, keyNode, valueNode) in NamedEntries(section, path, problems))
        {
            var origin = SettingOrigin.PresetLine(path, keyNode, $"{ShapesWorldKey}: {key}");
            if (key is DescriptionKey or MadeForKey or ShapesWorldKey)
                problems.Add(origin.Describe($"'{key}' belongs at the top level of the preset, not in its {ShapesWorldKey}: section"));
            else if (TrainSettings.FromPresetKey(key) is not { } setting)
                problems.Add($"{path}:{keyNode.Start.Line}: unknown key '{key}' in the {ShapesWorldKey}: section{NameSuggestions.Hint(key, [.. TrainSettings.PresetKeys])}");
            else if (setting == TrainSettings.Model)
                problems.Add(origin.Describe($"the {ShapesWorldKey}: section applies only when no model is given, so it cannot name one"));
            else
                ReadSetting(setting, valueNode, origin, path, values, problems);
        }
        return values;
    }

    /// <summary>The entries of <paramref name="mapping"/> whose keys are plain names; the others go to <paramref name="problems"/>.</summary>
    static IEnumerable<(string Key, YamlNode KeyNode, YamlNode ValueNode)> NamedEntries(YamlMappingNode mapping, string path, List<string> problems)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is YamlScalarNode { Value: { } key }) yield return (key, keyNode, valueNode);
            else problems.Add($"{path}:{keyNode.Start.Line}: keys must be plain names");
        }
    }

    /// <summary>Reads one setting's value into <paramref name="values"/>, or its problem into <paramref name="problems"/>.</summary>
    static void ReadSetting(TrainSetting setting, YamlNode valueNode, SettingOrigin origin, string path, List<(TrainSetting, SettingValue)> values, List<string> problems)
    {
        try
        {
            var value = setting.ReadPreset(valueNode, path);
            if (setting.Problem(value) is { } problem) problems.Add(origin.Describe(problem));
            else values.Add((setting, new SettingValue(value, origin)));
        }
        catch (SettingValueException e)
        {
            problems.Add(origin.Describe(e.Message));
        }
    }

    /// <summary>YamlDotNet's message without the position prefix it adds (the line is reported separately).</summary>
    static string Reason(YamlException e)
    {
        var message = (e.InnerException as YamlException ?? e).Message;
        int positionEnd = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && positionEnd > 0 ? message[(positionEnd + 3)..] : message;
    }
}
