using DiffusionTune.Cli;
using DiffusionTune.Workflows.Presets;
using DiffusionTune.Workflows.Settings;
using DiffusionTune.Workflows.Training;

namespace DiffusionTune.Tests.Presets;

/// <summary>A malformed preset is refused before any work, each problem with its file and line.</summary>
public class PresetValidationTests
{
    static string Write(ScratchFolder folder, string yaml)
    {
        var path = folder.File("my-preset.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    static IReadOnlyList<string> Problems(string path) => Assert.Throws<TrainSettingsException>(() => PresetReader.Read(path)).Problems;

    /// <summary>The trainer problems of a preset that reads cleanly, against the built-in plugins.</summary>
    static IReadOnlyList<string> TrainerProblems(string path)
    {
        var values = TrainSettingValues.Defaults();
        PresetReader.Read(path).ApplyTo(values, onEmbeddedModel: false);
        return TrainPreflight.TrainerProblems(values, ShippedPresets.Plugins.Value);
    }

    [Fact]
    public void An_unknown_key_names_its_line_and_the_closest_key()
    {
        using var folder = new ScratchFolder();
        var path = Write(folder, "trainer: lora\nsteps: 10\nlearning_rat: 1e-4\n");

        Assert.Equal([$"{path}:3: unknown key 'learning_rat' (did you mean 'learning_rate'?)"], Problems(path));
    }

    [Fact]
    public void Command_line_spellings_are_pointed_to_their_preset_key()
    {
        using var folder = new ScratchFolder();
        var path = Write(folder, "trainer: lora\nbatch-size: 2\n");

        Assert.Equal([$"{path}:2: unknown key 'batch-size' (did you mean 'batch_size'?)"], Problems(path));
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_its_line_and_the_type_expected()
    {
        using var folder = new ScratchFolder();
        var path = Write(folder, "# a comment\ntrainer: lora\nsteps: many\nflip: [true]\n");

        Assert.Equal(
        [
            $"{path}:3: steps: expected a whole number, not 'many'",
            $"{path}:4: flip: expected true or false, not a list",
        ], Problems(path));
    }

    [Fact]
    public void Out_of_range_values_and_unknown_choices_name_their_line()
    {
        using var folder = new ScratchFolder();
        var path = Write(folder, "trainer: lora\nlearning_rate: 2\nsteps: 0\nlr_schedule: cosin\n");

        Assert.Equal(
        [
            $"{path}:2: learning_rate: must be between 0 and 1 (exclusive), not 2",
            $"{path}:3: steps: must be at least 1, not 0",
            $"{path}:4: lr_schedule: must be one of constant, linear, cosine, not 'cosin' (did you mean 'cosine'?)",
        ], Problems(path));
    }

    [Fact]
    public void Broken_yaml_names_its_line()
    {
        using var folder = new ScratchFolder();
        var unclosed = Write(folder, "trainer: lora\nsample_prompt: [a star\nsteps: 3\n");
        var badIndent = folder.File("indent.yaml");
        File.WriteAllText(badIndent, "trainer: lora\nsteps: 3\n  batch_size: 2\n");

        Assert.Equal([$"{unclosed}:2: not valid YAML: a [ or {{ list that is not closed"], Problems(unclosed));
        var problem = Assert.Single(Problems(badIndent));
        Assert.StartsWith($"{badIndent}:3: not valid YAML: ", problem);
    }

    [Fact]
    public void A_preset_that_is_not_a_mapping_is_refused()
    {
        using var folder = new ScratchFolder();
        var path = Write(folder, "- trainer\n- lora\n");

        Assert.Equal([$"{path}:1: a preset is a mapping of keys to values (key: value lines)"], Problems(path));
    }

    [Fact]
    public void Unknown_trainer_options_are_checked_against_the_loaded_trainer_with_their_line()
    {
        using var folder = new ScratchFolder();
        var path = Write(folder, "trainer: lora\noptions:\n  rank: 4\n  rnak: 8\n  alpha: lots\n");

        var problems = TrainerProblems(path);

        Assert.Equal(2, problems.Count);
        Assert.StartsWith($"{path}:4: options: trainer 'lora' has no option 'rnak' (did you mean 'rank'?); its options are rank, alpha,", problems[0]);
        Assert.Equal($"{path}:5: options: option 'alpha' must be a number, not 'lots'", problems[1]);
    }

    [Fact]
    public void An_out_of_range_trainer_option_names_its_line_and_range()
    {
        using var folder = new ScratchFolder();
        var path = Write(folder, "trainer: lora\noptions:\n  rank: 0\n");

        Assert.Equal([$"{path}:3: options: option 'rank' is 0, outside its range [1, 1024]"], TrainerProblems(path));
    }

    [Fact]
    public void An_unknown_trainer_names_its_line_and_the_installed_ones()
    {
        using var folder = new ScratchFolder();
        var path = Write(folder, "steps: 3\ntrainer: lorra\noptions:\n  rank: 4\n");

        Assert.Equal([$"{path}:2: trainer: no trainer named 'lorra' (did you mean 'lora'?); installed: dreambooth, hypernetwork, lora, textual-inversion"], TrainerProblems(path));
    }

    [Fact]
    public async Task A_bad_preset_or_a_missing_image_folder_stops_train_before_anything_is_written()
    {
        using var folder = new ScratchFolder();
        var output = folder.File("out");
        var badPreset = Write(folder, "trainer: lora\noptions:\n  rnak: 4\n");
        var goodPreset = folder.File("good.yaml");
        File.WriteAllText(goodPreset, "trainer: lora\nsteps: 2\n");
        var images = Directory.CreateDirectory(folder.File("images")).FullName;

        Assert.Equal(1, await CliApplication.RunAsync(["train", "--preset", badPreset, "--images", images, "--output", output, "--device", "cpu"]));
        Assert.Equal(1, await CliApplication.RunAsync(["train", "--preset", goodPreset, "--images", folder.File("no-such-folder"), "--output", output, "--device", "cpu"]));
        Assert.Equal(1, await CliApplication.RunAsync(["train", "--preset", "no-such-preset", "--images", images, "--output", output, "--device", "cpu"]));
        Assert.False(Path.Exists(output));
    }

    [Fact]
    public void Command_line_problems_name_the_option_and_a_missing_image_folder_is_reported()
    {
        using var folder = new ScratchFolder();
        var values = TrainSettingValues.Defaults();
        values.Set(TrainSettings.Trainer, new SettingValue("lora", new SettingOrigin("--trainer")));
        values.Set(TrainSettings.Steps, new SettingValue(0, new SettingOrigin("--steps")));
        values.Set(TrainSettings.Images, new SettingValue(folder.File("missing"), new SettingOrigin("-i")));
        values.Set(TrainSettings.Model, new SettingValue(folder.Path, new SettingOrigin("--model")));

        var problems = Assert.Throws<TrainSettingsException>(() => TrainPreflight.Check(values, ShippedPresets.Plugins.Value)).Problems;

        Assert.Equal(["--steps: must be at least 1, not 0", $"-i: folder '{folder.File("missing")}' not found"], problems);
    }

    [Fact]
    public void A_file_given_for_a_folder_is_called_a_file()
    {
        using var folder = new ScratchFolder();
        var file = folder.File("star.png");
        File.WriteAllBytes(file, [1, 2, 3]);
        var values = TrainSettingValues.Defaults();
        values.Set(TrainSettings.Trainer, new SettingValue("lora", new SettingOrigin("--trainer")));
        values.Set(TrainSettings.Model, new SettingValue(folder.Path, new SettingOrigin("--model")));
        values.Set(TrainSettings.Images, new SettingValue(file, new SettingOrigin("--images")));
        values.Set(TrainSettings.Output, new SettingValue(file, new SettingOrigin("--output")));
        values.Set(TrainSettings.Run, new SettingValue(file, new SettingOrigin("--run")));

        var problems = Assert.Throws<TrainSettingsException>(() => TrainPreflight.Check(values, ShippedPresets.Plugins.Value)).Problems;

        Assert.Equal([$"--images: '{file}' is a file, not a folder", $"--output: '{file}' is a file, not a folder", $"--run: '{file}' is a file, not a folder"], problems);
    }

    [Fact]
    public void Presets_are_found_by_name_with_user_folders_before_the_built_in_ones()
    {
        using var folder = new ScratchFolder();
        File.WriteAllText(folder.File("quick-test.yaml"), "trainer: lora\n");
        File.WriteAllText(folder.File("mine.yml"), "trainer: lora\n");

        var library = PresetLibrary.Load([folder.Path]);

        Assert.Equal(folder.File("quick-test.yaml"), library.Locate("quick-test"));
        Assert.Equal(folder.File("mine.yml"), library.Locate("mine"));
        Assert.Equal(folder.File("quick-test.yaml"), library.Entries.Single(e => e.Source == "built-in" && e.Name == "quick-test").HiddenBy);
        Assert.Contains("did you mean 'quick-test'?", Assert.Throws<ArgumentException>(() => library.Locate("quick-tset")).Message);
    }
}
