using DiffusionTune.Cli;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Training.Plugins;
using DiffusionTune.Workflows.Presets;
using DiffusionTune.Workflows.Settings;
using DiffusionTune.Workflows.Training;

namespace DiffusionTune.Tests.Presets;

/// <summary>The presets in presets/ (copied next to the executable) read cleanly and fit the trainers they name.</summary>
public class ShippedPresetTests
{
    public static TheoryData<string> Names => [.. ShippedPresets.Names];

    [Fact]
    public void The_shipped_presets_are_copied_next_to_the_executable()
    {
        var inRepository = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "presets"), "*.yaml").Select(Path.GetFileName).Order();
        Assert.Equal(inRepository, Directory.GetFiles(PresetLibrary.BuiltInFolder, "*.yaml").Select(Path.GetFileName).Order());
        Assert.Superset(new HashSet<string>(ShippedPresets.Names),
            new HashSet<string> { "quick-test", "subject-dreambooth", "subject-lora", "style-lora", "style-textual-inversion", "style-hypernetwork" });
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_shipped_preset_parses_with_a_description_a_trainer_and_sample_prompts(string name)
    {
        var preset = PresetReader.Read(ShippedPresets.Path(name));

        Assert.False(string.IsNullOrWhiteSpace(preset.Description));
        Assert.NotNull(preset.Trainer);
        Assert.Contains(preset.Values, v => v.Setting == TrainSettings.SamplePrompts);
        Assert.Contains(preset.Values, v => v.Setting == TrainSettings.TrainerOptions);
        Assert.Equal(preset.Name, PresetLibrary.Load([]).Entries.Single(e => e.Name == name && e.Source == "built-in").Name);
    }

    [Fact]
    public void Every_line_of_a_shipped_preset_that_sets_something_says_why()
    {
        foreach (var name in ShippedPresets.Names)
        {
            var lines = File.ReadAllLines(ShippedPresets.Path(name));
            foreach (var (line, number) in lines.Select((line, i) => (line, i + 1)))
            {
                bool setsSomething = line.Length > 0 && !line.TrimStart().StartsWith('#') && !line.TrimStart().StartsWith('-') && !line.StartsWith("description:")
                    && !line.EndsWith(':');
                if (setsSomething) Assert.True(line.Contains(" # "), $"{name}.yaml:{number} has no comment: {line}");
            }
        }
    }

    [Fact]
    public void The_quick_test_is_a_small_bf16_lora_run()
    {
        var preset = PresetReader.Read(ShippedPresets.Path(QuickStart.PresetName));
        var values = TrainSettingValues.Defaults();
        preset.ApplyTo(values, onEmbeddedModel: false);

        Assert.Equal("lora", values.Get(TrainSettings.Trainer));
        Assert.InRange(values.Get(TrainSettings.Steps), 60, 100);
        Assert.Equal(2, values.Get(TrainSettings.BatchSize));
        Assert.Equal("bf16", values.Get(TrainSettings.Precision));
        Assert.Equal(3, values.Get(TrainSettings.SamplePrompts).Count);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_shipped_preset_fits_the_options_its_trainer_declares(string name)
    {
        var values = TrainSettingValues.Defaults();
        PresetReader.Read(ShippedPresets.Path(name)).ApplyTo(values, onEmbeddedModel: false);

        Assert.Contains(values.Get(TrainSettings.Trainer)!, ShippedPresets.Plugins.Value.Trainers.Select(t => t.Info.Name));
        Assert.Empty(TrainPreflight.TrainerProblems(values, ShippedPresets.Plugins.Value));
    }

    [Fact]
    public void The_subject_dreambooth_preset_preserves_the_prior()
    {
        var values = TrainSettingValues.Defaults();
        PresetReader.Read(ShippedPresets.Path("subject-dreambooth")).ApplyTo(values, onEmbeddedModel: false);

        Assert.Equal("dreambooth", values.Get(TrainSettings.Trainer));
        Assert.Equal("generated", values.Get(TrainSettings.Prior));
    }

    /// <summary>
    /// The style presets whose trainers check more than their declared options when a run starts (the token's
    /// spelling, the instance prompt holding it, the layer structure) run two steps on the tiny model and the
    /// sample images.
    /// </summary>
    [Theory]
    [InlineData("style-textual-inversion", "my-style.safetensors")]
    [InlineData("style-hypernetwork", "hypernetwork.safetensors")]
    public async Task A_style_preset_trains_on_the_tiny_model(string name, string result)
    {
        using var folder = new ScratchFolder();
        var output = folder.File("out");

        int code = await CliApplication.RunAsync(["train", "--preset", name, "--images", QuickStart.SampleImages, "--model", RandomTinyModel.SaveDiffusers(),
            "--steps", "2", "--warmup-steps", "0", "--batch-size", "1", "--sample-steps", "1", "--precision", "fp32", "--output", output, "--device", "cpu"]);

        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(output, result)), $"{name} wrote no {result}");
    }
}

/// <summary>The built-in presets and the trainer plugins built with the tests.</summary>
static class ShippedPresets
{
    public static IReadOnlyList<string> Names { get; } =
        Directory.GetFiles(PresetLibrary.BuiltInFolder, "*.yaml").Select(System.IO.Path.GetFileNameWithoutExtension).Order().ToList()!;

    public static string Path(string name) => System.IO.Path.Combine(PresetLibrary.BuiltInFolder, name + ".yaml");

    public static Lazy<PluginCatalog> Plugins { get; } = new(() => PluginCatalog.Load([System.IO.Path.Combine(AppContext.BaseDirectory, "plugins")]));
}
