using DiffusionTune.Workflows.Presets;
using DiffusionTune.Workflows.Settings;
using DiffusionTune.Workflows.Training;

namespace DiffusionTune.Tests.Presets;

/// <summary>
/// A preset's <c>shapes-world:</c> section: settings that replace the top-level ones when the run uses the embedded
/// model, checked like the rest of the preset, chosen by <c>train</c> by whether a model is given, and shown by
/// <c>presets list</c>.
/// </summary>
public class PresetShapesWorldSectionTests
{
    const string SizedForSd15 = """
        description: a preset with settings for both models
        made_for: sd1.5
        trainer: lora
        steps: 800
        learning_rate: 1.0e-4
        batch_size: 1
        options:
          rank: 16
          alpha: 8
        shapes-world:
          steps: 300
          learning_rate: 1.0e-3
          options:
            rank: 4
          sample_prompt: [a star, a red star]
        """;

    static string Write(ScratchFolder folder, string yaml, string name = "both.yaml")
    {
        var path = folder.File(name);
        File.WriteAllText(path, yaml);
        return path;
    }

    static IReadOnlyList<string> Problems(string path) => Assert.Throws<TrainSettingsException>(() => PresetReader.Read(path)).Problems;

    [Fact]
    public void On_the_embedded_model_the_section_replaces_the_top_level_values_and_its_options_merge()
    {
        using var folder = new ScratchFolder();
        var preset = PresetReader.Read(Write(folder, SizedForSd15));

        var embedded = TrainSettingValues.Defaults();
        preset.ApplyTo(embedded, onEmbeddedModel: true);
        var given = TrainSettingValues.Defaults();
        preset.ApplyTo(given, onEmbeddedModel: false);

        Assert.Equal(300, embedded.Get(TrainSettings.Steps));
        Assert.Equal(1e-3, embedded.Get(TrainSettings.LearningRate));
        Assert.Equal(1, embedded.Get(TrainSettings.BatchSize));   // not in the section: the top-level value
        Assert.Equal(["alpha=8", "rank=4"], embedded.Get(TrainSettings.TrainerOptions).Select(o => $"{o.Name}={o.Text}"));
        Assert.Equal(new SettingOrigin($"{preset.FilePath}:11", "shapes-world: steps"), embedded.OriginOf(TrainSettings.Steps));
        Assert.Equal(800, given.Get(TrainSettings.Steps));
        Assert.Equal(1e-4, given.Get(TrainSettings.LearningRate));
        Assert.Equal(["rank=16", "alpha=8"], given.Get(TrainSettings.TrainerOptions).Select(o => $"{o.Name}={o.Text}"));
    }

    [Fact]
    public void Unknown_keys_bad_values_and_misplaced_keys_in_the_section_are_refused_with_their_lines()
    {
        using var folder = new ScratchFolder();
        var path = Write(folder, """
            made_for: sd1.5
            trainer: lora
            shapes-world:
              learning_rat: 1.0e-3
              steps: 0
              model: models/other
              description: not here
              shapes-world:
                steps: 2
            """);

        Assert.Equal([
            $"{path}:4: unknown key 'learning_rat' in the shapes-world: section (did you mean 'learning_rate'?)",
            $"{path}:5: shapes-world: steps: must be at least 1, not 0",
            $"{path}:6: shapes-world: model: the shapes-world: section applies only when no model is given, so it cannot name one",
            $"{path}:7: shapes-world: description: 'description' belongs at the top level of the preset, not in its shapes-world: section",
            $"{path}:8: shapes-world: shapes-world: 'shapes-world' belongs at the top level of the preset, not in its shapes-world: section",
        ], Problems(path));
    }

    [Fact]
    public void A_section_that_is_not_a_mapping_or_repeats_a_preset_made_for_the_embedded_model_is_refused()
    {
        using var folder = new ScratchFolder();
        var scalar = Write(folder, "trainer: lora\nshapes-world: 300\n", "scalar.yaml");
        var redundant = Write(folder, "made_for: shapes-world\ntrainer: lora\nshapes-world:\n  steps: 300\n", "redundant.yaml");

        Assert.Equal([$"{scalar}:2: shapes-world: expected the settings for the embedded model, one indented 'key: value' line each"], Problems(scalar));
        Assert.Equal([$"{redundant}: a preset made_for: shapes-world is already sized for the embedded model; put the shapes-world: settings at the top level"],
            Problems(redundant));
    }

    [Fact]
    public void Train_uses_the_section_without_a_model_and_the_top_level_values_with_one()
    {
        using var folder = new ScratchFolder();
        var path = Write(folder, SizedForSd15);
        var namesModel = Write(folder, SizedForSd15.Replace("steps: 800", "steps: 800\nmodel: models/mine"), "names-model.yaml");
        var model = (TrainSettings.Model, new SettingValue("models/mine", new SettingOrigin("--model")));
        var steps = (TrainSettings.Steps, new SettingValue(5, new SettingOrigin("--steps")));
        var reporter = new RecordingReporter();

        Assert.Equal(300, TrainingJob.Resolve(new TrainRequest(path, [], [], []), quickStart: false, reporter).Get(TrainSettings.Steps));
        Assert.Equal(800, TrainingJob.Resolve(new TrainRequest(path, [], [], [model]), quickStart: false, reporter).Get(TrainSettings.Steps));
        Assert.Equal(800, TrainingJob.Resolve(new TrainRequest(namesModel, [], [], []), quickStart: false, reporter).Get(TrainSettings.Steps));
        // The command line still wins over both.
        Assert.Equal(5, TrainingJob.Resolve(new TrainRequest(path, [], [], [steps]), quickStart: false, reporter).Get(TrainSettings.Steps));
    }

    [Fact]
    public void Train_says_in_one_line_which_settings_apply_and_warns_only_about_presets_without_them()
    {
        using var folder = new ScratchFolder();
        var both = PresetReader.Read(Write(folder, SizedForSd15));
        var sd15Only = PresetReader.Read(Write(folder, "made_for: sd1.5\ntrainer: lora\nsteps: 800\n", "sd15-only.yaml"));

        Assert.Equal("On the embedded model: preset both's shapes-world: settings apply (steps 300, learning_rate 0.001, options rank=4, sample_prompt 2 entries); "
            + "give --model for its Stable Diffusion 1.5 (512×512) settings", ModelFamily.EmbeddedSettingsLine(both));
        Assert.Null(ModelFamily.EmbeddedModelWarning(both, modelGiven: false));
        Assert.Null(ModelFamily.EmbeddedSettingsLine(sd15Only));
        Assert.StartsWith("preset sd15-only is sized for Stable Diffusion 1.5 (512×512); on the embedded shapes-world model",
            ModelFamily.EmbeddedModelWarning(sd15Only, modelGiven: false));
        Assert.Null(ModelFamily.EmbeddedModelWarning(sd15Only, modelGiven: true));
    }

    [Fact]
    public void Presets_list_shows_the_families_each_shipped_preset_has_settings_for()
    {
        foreach (var name in ShippedPresets.Names)
        {
            var preset = PresetReader.Read(ShippedPresets.Path(name));
            Assert.Equal(name == QuickStart.PresetName ? "shapes-world" : "sd1.5 + shapes-world", ModelFamily.Summary(preset));
        }
        using var folder = new ScratchFolder();
        Assert.Equal("—", ModelFamily.Summary(PresetReader.Read(Write(folder, "trainer: lora\n", "plain.yaml"))));
    }

    [Theory]
    [MemberData(nameof(ShippedPresetTests.Names), MemberType = typeof(ShippedPresetTests))]
    public void Every_shipped_preset_fits_its_trainer_on_the_embedded_model_too(string name)
    {
        var values = TrainSettingValues.Defaults();
        PresetReader.Read(ShippedPresets.Path(name)).ApplyTo(values, onEmbeddedModel: true);

        Assert.Empty(TrainPreflight.TrainerProblems(values, ShippedPresets.Plugins.Value));
    }
}
