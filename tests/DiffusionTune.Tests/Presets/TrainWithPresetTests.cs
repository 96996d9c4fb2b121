using DiffusionTune.Cli;
using DiffusionTune.IO.Images;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Workflows.Comparison;
using DiffusionTune.Workflows.Damage;
using DiffusionTune.Workflows.Training;

namespace DiffusionTune.Tests.Presets;

/// <summary><c>train --preset</c> and <c>train</c> with no arguments, end to end on the tiny random model.</summary>
public class TrainWithPresetTests
{
    [Fact]
    public async Task Command_line_options_override_the_preset_and_trainer_options_merge()
    {
        using var folder = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers();
        var preset = folder.File("tiny.yaml");
        File.WriteAllText(preset, """
            description: a preset the command line partly overrides
            trainer: lora
            steps: 50            # overridden below
            learning_rate: 2.0e-3
            batch_size: 2        # overridden below
            save_every: 50
            options:
              rank: 4
              alpha: 16          # overridden by --option
            """);
        var output = folder.File("out");

        int code = await CliApplication.RunAsync(["train", "--preset", preset, "--images", QuickStart.SampleImages, "--model", model,
            "--steps", "2", "--batch-size", "1", "--option", "alpha=2", "--output", output, "--device", "cpu", "--damage-report", "off"]);

        Assert.Equal(0, code);
        using var lora = SafetensorsFile.Open(Path.Combine(output, "lora.safetensors"));
        Assert.Equal("2", lora.Metadata["ss_max_train_steps"]);             // command line over preset
        Assert.Equal("1", lora.Metadata["ss_batch_size_per_device"]);       // command line over preset
        Assert.Equal("0.002", lora.Metadata["ss_learning_rate"]);           // preset over default
        Assert.Equal("4", lora.Metadata["ss_network_dim"]);                 // preset option kept
        Assert.Equal("2", lora.Metadata["ss_network_alpha"]);               // --option over preset option
        Assert.False(File.Exists(Path.Combine(output, "lora" + DamageReport.FileExtension)));
    }

    [Fact]
    public async Task Train_with_no_preset_trainer_or_images_trains_the_quick_test_on_the_samples_and_writes_a_before_after_grid()
    {
        using var folder = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers();
        var output = folder.File("quick");

        // The quick start with the tests' model: the same path as `train` alone, which uses the embedded model.
        int code = await CliApplication.RunAsync(["train", "--model", model, "--steps", "2", "--warmup-steps", "0", "--sample-steps", "2", "--output", output, "--device", "cpu"]);

        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(output, "quick-test.safetensors")));
        var comparison = Path.Combine(output, "quick-test-before-after");
        using var grid = ImageLoader.LoadRgb(Path.Combine(comparison, ComparisonGrid.FileName));
        var rowLabels = new[] { "a yellow sks star with a face", "a sks star on a plain blue background", "a yellow star with a face" }
            .SelectMany(prompt => new[] { $"{prompt} #1", $"{prompt} #2" }).ToList();
        var layout = ImageGridLayout.For(12, 2, 16, 16, new ImageGridOptions { ColumnLabels = ["before", "after"], RowLabels = rowLabels, LabelScale = 1 });
        Assert.Equal((layout.Width, layout.Height), (grid.Width, grid.Height));
        Assert.Equal(12, Directory.GetFiles(comparison, "r*-c*-s*.png").Length);

        // Left and right of a row share the seed; the LoRA changed the picture.
        var before = GenerationParameters.Parse(PngTextReader.Find(Path.Combine(comparison, ComparisonRun.CellFileName(0, 0, 1)), "parameters")!);
        var after = GenerationParameters.Parse(PngTextReader.Find(Path.Combine(comparison, ComparisonRun.CellFileName(0, 1, 1)), "parameters")!);
        Assert.Equal((before.Prompt, before.Seed), (after.Prompt, after.Seed));
        Assert.Empty(before.Extra);
        Assert.Contains(after.Extra, e => e.Key == "Lora hashes" && e.Value.StartsWith("quick-test: "));

        // The run ends with its damage report: the LoRA against the base, the sample captions as concept prompts.
        var damage = DamageReport.Read(Path.Combine(output, "quick-test" + DamageReport.FileExtension));
        Assert.Equal("quick-test", Assert.Single(damage.Loras).Name);
        Assert.Equal(5, damage.Concept!.Prompts.Count);
        Assert.True(damage.General.Total.MeanSquaredError > 0);
    }
}
