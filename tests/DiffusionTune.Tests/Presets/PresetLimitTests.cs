using System.Text;
using DiffusionTune.Cli.Commands.Presets;
using DiffusionTune.Workflows.Presets;
using DiffusionTune.Workflows.Settings;
using DiffusionTune.Workflows.Training;

namespace DiffusionTune.Tests.Presets;

/// <summary>
/// Hostile presets — nested thousands deep, holding millions of entries, megabytes long — are refused in one line
/// naming the file and the limit (<see cref="SettingLimits"/>), and never take the process down.
/// </summary>
public class PresetLimitTests
{
    const string NestingProblem = "lists and mappings are nested more than 16 deep";

    static IReadOnlyList<string> Problems(string path) => Assert.Throws<TrainSettingsException>(() => PresetReader.Read(path)).Problems;

    /// <summary>What is wrong with the preset at <paramref name="path"/>; empty when it reads cleanly.</summary>
    static IReadOnlyList<string> ProblemsIfAny(string path)
    {
        try
        {
            PresetReader.Read(path);
            return [];
        }
        catch (TrainSettingsException e)
        {
            return e.Problems;
        }
    }

    static IReadOnlyList<string> SamplePrompts(Preset preset) =>
        (IReadOnlyList<string>)preset.Values.Single(v => v.Setting == TrainSettings.SamplePrompts).Value.Value!;

    /// <summary>
    /// A preset whose <c>sample_prompt</c> value nests collections so that, with the preset's own mapping, the file is
    /// <paramref name="depth"/> deep: first block levels (indented lists and mappings), then flow levels (<c>[ … ]</c>
    /// and <c>{k: …}</c>), each level's kind drawn at random.
    /// </summary>
    static string NestedPreset(int depth, Random random)
    {
        var yaml = new StringBuilder("trainer: lora\nsample_prompt:");
        int levels = depth - 1, blockLevels = Math.Min(random.Next(levels + 1), 40);
        for (int level = 0; level < blockLevels; level++)
            yaml.Append('\n').Append(' ', 2 * (level + 1)).Append(random.Next(2) == 0 ? "-" : "k:");
        yaml.Append(' ');
        var closers = new Stack<char>();
        for (int level = blockLevels; level < levels; level++)
        {
            bool list = random.Next(2) == 0;
            yaml.Append(list ? "[" : "{k: ");
            closers.Push(list ? ']' : '}');
        }
        yaml.Append("a star");
        while (closers.Count > 0) yaml.Append(closers.Pop());
        return yaml.Append('\n').ToString();
    }

    [Fact]
    public void Random_nesting_within_the_limit_is_read_and_beyond_it_is_refused_in_one_line()
    {
        using var folder = new ScratchFolder();
        var random = new Random(20);
        var depths = Enumerable.Range(0, 150).Select(_ => random.Next(1, 3 * SettingLimits.PresetNesting))
            .Concat([1, 2, SettingLimits.PresetNesting, SettingLimits.PresetNesting + 1, 5_000, 50_000]);
        foreach (var depth in depths)
        {
            var path = folder.File($"depth-{depth}.yaml");
            File.WriteAllText(path, NestedPreset(depth, random));

            if (depth > SettingLimits.PresetNesting)
            {
                var problem = Assert.Single(Problems(path));
                Assert.StartsWith($"{path}:", problem);
                Assert.Contains(NestingProblem, problem);
            }
            else if (depth == 1)
            {
                Assert.Equal(["a star"], SamplePrompts(PresetReader.Read(path)));
            }
            else
            {
                // Read as YAML, then judged on what it holds: a sample prompt is text, so a nested value is refused for that.
                Assert.All(ProblemsIfAny(path), problem => Assert.StartsWith($"{path}:2: sample_prompt: expected", problem));
            }
        }
    }

    [Fact]
    public void Fifty_thousand_open_brackets_are_refused_by_the_preset_reader_and_presets_show()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("brackets.yaml");
        File.WriteAllText(path, "trainer: lora\nsample_prompt: " + new string('[', 50_000) + "\n");
        var expected = $"{path}:2: {NestingProblem}; a preset needs 2 at most (options: then name: value)";

        Assert.Equal([expected], Problems(path));
        Assert.Equal(expected, Assert.Throws<TrainSettingsException>(() => PresetsCommand.Show(path, [], [])).Message);
    }

    [Fact]
    public void Sample_prompts_beyond_the_limit_are_refused_in_a_preset_and_on_the_command_line()
    {
        using var folder = new ScratchFolder();
        string[] PromptList(int count) => [.. Enumerable.Range(0, count).Select(i => $"a star number {i}")];
        string PresetOf(int count) => "trainer: lora\nsample_prompt:\n" + string.Concat(PromptList(count).Select(prompt => $"  - {prompt}\n"));
        var atLimit = folder.File("at-limit.yaml");
        File.WriteAllText(atLimit, PresetOf(SettingLimits.SamplePrompts));
        var overLimit = folder.File("over-limit.yaml");
        File.WriteAllText(overLimit, PresetOf(SettingLimits.SamplePrompts + 1));

        Assert.Equal(PromptList(SettingLimits.SamplePrompts), SamplePrompts(PresetReader.Read(atLimit)));
        Assert.Equal([$"{overLimit}:2: sample_prompt: holds 257 entries; at most 256 are allowed"], Problems(overLimit));

        var values = TrainSettingValues.Defaults();
        values.Set(TrainSettings.Trainer, new SettingValue("lora", new SettingOrigin("--trainer")));
        values.Set(TrainSettings.Images, new SettingValue(folder.Path, new SettingOrigin("--images")));
        values.Set(TrainSettings.Model, new SettingValue(folder.Path, new SettingOrigin("--model")));
        values.Set(TrainSettings.SamplePrompts, new SettingValue(PromptList(SettingLimits.SamplePrompts + 1), new SettingOrigin("--sample-prompt")));
        var problems = Assert.Throws<TrainSettingsException>(() => TrainPreflight.Check(values, ShippedPresets.Plugins.Value)).Problems;
        Assert.Equal(["--sample-prompt: holds 257 entries; at most 256 are allowed"], problems);
    }

    [Fact]
    public void A_preset_of_millions_of_sample_prompts_or_an_endless_one_is_refused_by_its_length_before_it_is_parsed()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("millions.yaml");
        using (var writer = new StreamWriter(path))
        {
            writer.Write("trainer: lora\nsample_prompt:\n");
            for (int i = 0; writer.BaseStream.Length <= SettingLimits.PresetFileLength; i++) writer.Write($"  - a star number {i}\n");
        }

        Assert.Equal([$"{path}: longer than 1024 KB, too long for a preset file (presets are a few KB)"], Problems(path));
        // An endless file is not read to its end.
        if (OperatingSystem.IsLinux())
            Assert.Equal(["/dev/zero: longer than 1024 KB, too long for a preset file (presets are a few KB)"], Problems("/dev/zero"));
    }

    [Fact]
    public void A_preset_of_many_problems_lists_the_first_ones_and_counts_the_rest()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("unknown-keys.yaml");
        File.WriteAllText(path, string.Concat(Enumerable.Range(0, 100).Select(i => $"unknown_key_{i}: 1\n")));

        var problems = Problems(path);

        Assert.Equal(SettingLimits.ReportedProblems + 1, problems.Count);
        Assert.Equal($"{path}:1: unknown key 'unknown_key_0'", problems[0].Split(" (did you mean")[0]);
        Assert.Equal($"{path}: and {100 - SettingLimits.ReportedProblems} more problems", problems[^1]);
    }
}
