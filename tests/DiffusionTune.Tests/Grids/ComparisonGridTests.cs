using System.Text.Json;
using DiffusionTune.Cli;
using DiffusionTune.IO.Images;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Tests.Adapters;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Workflows.Comparison;
using DiffusionTune.Workflows.Generation;
using DiffusionTune.Workflows.Training;
using SkiaSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Grids;

/// <summary><c>compare</c>: X/Y grids of prompts against checkpoints and adapters, resumable, going on past failures.</summary>
public class ComparisonGridTests
{
    static readonly string[] Sampling = ["--steps", "3", "--seed", "5", "--device", "cpu"];

    [Fact]
    public async Task A_grid_over_two_checkpoints_puts_each_single_generation_in_its_cell()
    {
        using var folder = new ScratchFolder();
        string[] models = [RandomTinyModel.SaveDiffusers(seed: 0), RandomTinyModel.SaveDiffusers(seed: 1)];
        string[] prompts = ["a cat", "a dog"];
        var output = folder.File("compare");

        Assert.Equal(0, await CliApplication.RunAsync(["compare", "--model", models[0], "--model", models[1],
            "--prompt", prompts[0], "--prompt", prompts[1], "--output", output, .. Sampling]));

        using var grid = ImageLoader.LoadRgb(Path.Combine(output, ComparisonGrid.FileName));
        var options = new ImageGridOptions { ColumnLabels = ["random-tiny", "random-tiny"], RowLabels = prompts, LabelScale = 1 };
        var layout = ImageGridLayout.For(4, 2, 16, 16, options);
        // Two 16-pixel columns with margins, plus the row-label strip; two rows plus the column-label strip.
        Assert.Equal(layout.RowLabelWidth + 4 + 2 * (16 + 4), grid.Width);
        Assert.Equal(layout.ColumnLabelHeight + 4 + 2 * (16 + 4), grid.Height);
        Assert.True(layout.RowLabelWidth > 0 && layout.ColumnLabelHeight > 0);

        for (int row = 0; row < 2; row++)
        {
            for (int column = 0; column < 2; column++)
            {
                var single = Path.Combine(folder.File($"single-{row}-{column}"));
                Assert.Equal(0, await CliApplication.RunAsync(["generate", "--model", models[column], "--prompt", prompts[row], "--output", single, .. Sampling]));
                using var generated = ImageLoader.LoadRgb(Path.Combine(single, "00000-5.png"));
                using var cell = ImageLoader.LoadRgb(Path.Combine(output, ComparisonRun.CellFileName(row, column, 5)));
                Assert.Equal(generated.Bytes, cell.Bytes);
                var origin = layout.CellOrigin(row, column);
                for (int y = 0; y < 16; y++)
                    for (int x = 0; x < 16; x++)
                        Assert.Equal(cell.GetPixel(x, y), grid.GetPixel(origin.X + x, origin.Y + y));
            }
        }
        // The two models differ, so the columns do.
        using var left = ImageLoader.LoadRgb(Path.Combine(output, ComparisonRun.CellFileName(0, 0, 5)));
        using var right = ImageLoader.LoadRgb(Path.Combine(output, ComparisonRun.CellFileName(0, 1, 5)));
        Assert.NotEqual(left.Bytes, right.Bytes);
    }

    [Fact]
    public void Running_a_comparison_again_skips_the_images_it_has_and_makes_only_the_missing_ones()
    {
        using var folder = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers();
        var plan = new ComparisonPlan
        {
            Columns = ComparisonAxes.Columns([model], [], includeBase: false),
            Rows = ComparisonAxes.Rows(["a cat", "a dog", "a cat and a dog"], null, seed: 3, seedCount: 1),
            Output = folder.File("batch"),
            Sampling = new SamplingSettings { Steps = 2, Loading = new() { Device = "cpu" } },
        };

        var first = ComparisonRun.Run(plan, new RecordingReporter(), CancellationToken.None);
        Assert.All(first.Cells, c => Assert.Equal(CellStatus.Generated, c.Status));
        var written = first.Cells.ToDictionary(c => c.Path, c => File.GetLastWriteTimeUtc(c.Path));
        File.Delete(first.Cells[1].Path);

        var second = ComparisonRun.Run(plan, new RecordingReporter(), CancellationToken.None);

        Assert.Equal([CellStatus.Existing, CellStatus.Generated, CellStatus.Existing], second.Cells.Select(c => c.Status));
        Assert.Equal(written[first.Cells[0].Path], File.GetLastWriteTimeUtc(first.Cells[0].Path));
        Assert.Equal(written[first.Cells[2].Path], File.GetLastWriteTimeUtc(first.Cells[2].Path));
        Assert.NotNull(second.GridPath);
    }

    [Fact]
    public async Task A_model_that_fails_and_a_prompt_that_fails_are_reported_and_the_rest_is_generated()
    {
        using var folder = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers();
        var broken = folder.File("broken.safetensors");
        File.WriteAllText(broken, "not a checkpoint");
        var prompts = folder.File("prompts.jsonl");
        File.WriteAllLines(prompts, ["""{"prompt": "a cat"}""", """{"prompt": "a dog", "width": 13}"""]);
        var output = folder.File("compare");

        int code = await CliApplication.RunAsync(["compare", "--model", model, "--model", broken, "--prompts", prompts, "--output", output, .. Sampling]);

        Assert.Equal(1, code);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, ComparisonRun.ManifestFileName)));
        var statuses = manifest.RootElement.GetProperty("cells").EnumerateArray()
            .Select(c => (c.GetProperty("row").GetInt32(), c.GetProperty("column").GetInt32(), c.GetProperty("status").GetString())).ToList();
        Assert.Equal([(0, 0, "generated"), (0, 1, "failed"), (1, 0, "failed"), (1, 1, "failed")], statuses);
        Assert.True(File.Exists(Path.Combine(output, ComparisonRun.CellFileName(0, 0, 5))));
        using var grid = ImageLoader.LoadRgb(Path.Combine(output, ComparisonGrid.FileName));
        var layout = ImageGridLayout.For(4, 2, 16, 16, new ImageGridOptions { ColumnLabels = ["random-tiny", "broken"], RowLabels = ["a cat", "a dog"], LabelScale = 1 });
        Assert.Equal(SKColors.LightGray, grid.GetPixel(layout.CellOrigin(1, 1).X, layout.CellOrigin(1, 1).Y));
    }

    [Fact]
    public async Task The_intermediate_results_of_a_training_run_compare_in_one_command_at_several_strengths()
    {
        using var folder = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers();
        var run = folder.File("run");
        Assert.Equal(0, await CliApplication.RunAsync(["train", "--preset", QuickStart.PresetName, "--images", QuickStart.SampleImages, "--model", model,
            "--steps", "2", "--warmup-steps", "0", "--save-every", "1", "--output", run, "--device", "cpu"]));
        var output = folder.File("compare");

        Assert.Equal(0, await CliApplication.RunAsync(["compare", "--model", model, "--lora", run + ":0.5,1", "--include-base",
            "--prompt", "a sks star", "--output", output, .. Sampling]));

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, ComparisonRun.ManifestFileName)));
        var labels = manifest.RootElement.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("label").GetString()).ToList();
        Assert.Equal(["base", "step 1 0.5", "step 1", "quick-test 0.5", "quick-test"], labels);
        using var grid = ImageLoader.LoadRgb(Path.Combine(output, ComparisonGrid.FileName));
        var layout = ImageGridLayout.For(5, 5, 16, 16, new ImageGridOptions { ColumnLabels = labels!, RowLabels = ["a sks star"], LabelScale = 1 });
        Assert.Equal((layout.Width, layout.Height), (grid.Width, grid.Height));
    }

    [Fact]
    public async Task Hypernetwork_strengths_are_columns_and_embeddings_apply_to_every_column()
    {
        using var folder = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers(seed: 5);
        var embeddings = Directory.CreateDirectory(folder.File("embeddings")).FullName;
        using (var vectors = randn(2, 32) * 3) SafetensorsWriter.Save(Path.Combine(embeddings, "sks.safetensors"), [new("string_to_param.*", vectors)]);
        var hypernetwork = folder.File("painterly.safetensors");
        HypernetworkTestData.Write(hypernetwork, HypernetworkTestData.Tensors(0.5, seed: 3, 32, 64)).Dispose();
        var output = folder.File("compare");

        Assert.Equal(0, await CliApplication.RunAsync(["compare", "--model", model, "--hypernetwork", hypernetwork + ":0,1", "--embeddings", embeddings,
            "--prompt", "a sks cat", "--output", output, .. Sampling]));

        var zero = GenerationParameters.Parse(PngTextReader.Find(Path.Combine(output, ComparisonRun.CellFileName(0, 0, 5)), "parameters")!);
        var one = GenerationParameters.Parse(PngTextReader.Find(Path.Combine(output, ComparisonRun.CellFileName(0, 1, 5)), "parameters")!);
        Assert.Equal(("0", "1"), (zero.Extra.Single(e => e.Key == "Hypernet strength").Value, one.Extra.Single(e => e.Key == "Hypernet strength").Value));
        Assert.All(new[] { zero, one }, p => Assert.Matches("^sks: [0-9a-f]{12}$", p.Extra.Single(e => e.Key == "TI hashes").Value));
        // Strength 0 leaves the model as it is: the same picture as the model without the hypernetwork.
        var plain = folder.File("plain");
        Assert.Equal(0, await CliApplication.RunAsync(["generate", "--model", model, "--embeddings", embeddings, "--prompt", "a sks cat", "--output", plain, .. Sampling]));
        using var withoutHypernetwork = ImageLoader.LoadRgb(Path.Combine(plain, "00000-5.png"));
        using var atZero = ImageLoader.LoadRgb(Path.Combine(output, ComparisonRun.CellFileName(0, 0, 5)));
        using var atOne = ImageLoader.LoadRgb(Path.Combine(output, ComparisonRun.CellFileName(0, 1, 5)));
        Assert.Equal(withoutHypernetwork.Bytes, atZero.Bytes);
        Assert.NotEqual(atZero.Bytes, atOne.Bytes);
    }

    [Fact]
    public void Images_made_with_other_settings_or_another_column_are_remade_not_reused()
    {
        using var folder = new ScratchFolder();
        string[] models = [RandomTinyModel.SaveDiffusers(seed: 0), RandomTinyModel.SaveDiffusers(seed: 1)];
        var plan = new ComparisonPlan
        {
            Columns = ComparisonAxes.Columns([models[0]], [], includeBase: false),
            Rows = ComparisonAxes.Rows(["a cat"], null, seed: 3, seedCount: 1),
            Output = folder.File("batch"),
            Sampling = new SamplingSettings { Steps = 2, Loading = new() { Device = "cpu" } },
        };
        ComparisonRun.Run(plan, new RecordingReporter(), CancellationToken.None);

        var moreSteps = ComparisonRun.Run(plan with { Sampling = plan.Sampling with { Steps = 3 } }, new RecordingReporter(), CancellationToken.None);
        var otherModel = ComparisonRun.Run(plan with { Sampling = plan.Sampling with { Steps = 3 }, Columns = ComparisonAxes.Columns([models[1]], [], includeBase: false) }, new RecordingReporter(), CancellationToken.None);
        var again = ComparisonRun.Run(plan with { Sampling = plan.Sampling with { Steps = 3 }, Columns = ComparisonAxes.Columns([models[1]], [], includeBase: false) }, new RecordingReporter(), CancellationToken.None);

        Assert.Equal(CellStatus.Generated, Assert.Single(moreSteps.Cells).Status);
        Assert.Equal(CellStatus.Generated, Assert.Single(otherModel.Cells).Status);
        Assert.Equal(CellStatus.Existing, Assert.Single(again.Cells).Status);
        Assert.Equal(3, GenerationParameters.Parse(PngTextReader.Find(again.Cells[0].Path, "parameters")!).Steps);
    }

    [Fact]
    public void Lora_arguments_expand_globs_folders_and_strength_lists_in_step_order()
    {
        using var folder = new ScratchFolder();
        foreach (var name in new[] { "style.safetensors", "style-step000200.safetensors", "style-step000050.safetensors", "notes.txt" })
            File.WriteAllText(folder.File(name), "");

        var fromFolder = ComparisonAxes.Adapters(AdapterKind.Lora, [folder.Path]);
        var fromGlob = ComparisonAxes.Adapters(AdapterKind.Lora, [Path.Combine(folder.Path, "style-step*.safetensors") + ":0.5,1"]);

        Assert.Equal(["style-step000050", "style-step000200", "style"], fromFolder.Select(l => Path.GetFileNameWithoutExtension(l.Path)));
        Assert.Equal([("step 50", 0.5), ("step 50", 1.0), ("step 200", 0.5), ("step 200", 1.0)],
            fromGlob.Select(l => (ComparisonAxes.ResultLabel(l.Path), l.Strength)));
        Assert.Throws<ArgumentException>(() => ComparisonAxes.Adapters(AdapterKind.Lora, [Path.Combine(folder.Path, "other*.safetensors")]));
        Assert.Throws<DiffusionTune.IO.ModelFileException>(() => ComparisonAxes.Adapters(AdapterKind.Lora, [folder.File("missing.safetensors")]));
    }

    [Fact]
    public void Hypernetwork_folders_include_A1111_pt_files()
    {
        using var folder = new ScratchFolder();
        foreach (var name in new[] { "style-step000100.pt", "style.safetensors", "notes.txt" })
            File.WriteAllText(folder.File(name), "");

        var adapters = ComparisonAxes.Adapters(AdapterKind.Hypernetwork, [folder.Path]);

        Assert.Equal([("step 100", AdapterKind.Hypernetwork), ("style", AdapterKind.Hypernetwork)], adapters.Select(a => (ComparisonAxes.ResultLabel(a.Path), a.Kind)));
    }
}
