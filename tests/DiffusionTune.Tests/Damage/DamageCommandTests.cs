using DiffusionTune.Cli;
using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Formats;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Damage;
using DiffusionTune.Workflows.Loading;
using DiffusionTune.Workflows.Training;
using static DiffusionTune.Tests.Adapters.AdapterTestData;

namespace DiffusionTune.Tests.Damage;

/// <summary>The <c>damage</c> command, its JSON report, and the report at the end of <c>train</c>.</summary>
public class DamageCommandTests
{
    static readonly string[] Quick = ["--seeds", "1", "--timesteps", "200", "800", "--device", "cpu"];

    [Fact]
    public void The_report_round_trips_through_its_json_file()
    {
        using var scratch = new ScratchFolder();
        var figure = new DriftFigure(0.0125, 0.98);
        PredictionDrift Drift(params string[] prompts) => new(prompts, figure,
            [new TimestepDrift(100, new DriftFigure(0.5, 1)), new TimestepDrift(900, new DriftFigure(0, 1))],
            [.. prompts.Select(p => new PromptDrift(p, figure))],
            [new BlockDrift("down_blocks.0", new DriftFigure(1e-9, 3.5)), new BlockDrift("mid_block", new DriftFigure(0.25, 12))]);
        var report = new DamageReport
        {
            Base = "/models/base",
            Tuned = "/models/base",
            Loras = [new AppliedLora("star", "0123456789ab", 0.8, "/out/star.safetensors")],
            Embeddings = [new LoadedEmbedding("sks", "/out/sks.safetensors", 2, "A1111", "ba9876543210")],
            Hypernetworks = [new AppliedHypernetwork("style", "0123456789", 1, "/out/style.safetensors")],
            Settings = new DriftSettings { Seeds = 3, FirstSeed = 5, Timesteps = [100, 900] },
            General = Drift("a red circle", ""),
            Concept = Drift("a sks star"),
            Evaluation = new EvaluatorDamage(8, 25, 5, "ddim",
                new EvaluatorDrift(new Dictionary<string, double> { ["shape"] = -0.125, ["style"] = double.NaN }, -0.0625, 0.01, 3.5),
                new EvaluatorDrift(new Dictionary<string, double> { ["style"] = 0.75 }, 0.5, -0.2, 40)),
        };
        var path = scratch.File("r/star.damage.json");

        report.Write(path);
        var read = DamageReport.Read(path);

        Assert.Equal(report.Base, read.Base);
        Assert.Equal(report.Loras, read.Loras);
        Assert.Equal(report.Embeddings, read.Embeddings);
        Assert.Equal(report.Hypernetworks, read.Hypernetworks);
        Assert.Equal(report.Settings.Timesteps, read.Settings.Timesteps);
        Assert.Equal((3, 5L), (read.Settings.Seeds, read.Settings.FirstSeed));
        Assert.Equal(report.General.Prompts, read.General.Prompts);
        Assert.Equal(figure, read.General.Total);
        Assert.Equal(report.General.Timesteps, read.General.Timesteps);
        Assert.Equal(report.General.Blocks, read.General.Blocks);
        Assert.Equal(report.Concept!.PerPrompt, read.Concept!.PerPrompt);
        Assert.Equal(1.0, read.ConceptToGeneral);
        Assert.True(double.IsNaN(read.Evaluation!.General.AdherenceChange["style"]));
        Assert.Equal(0.75, read.Evaluation.Concept!.AdherenceChange["style"]);
        Assert.Equal(40, read.Evaluation.Concept.FrechetDistance);
        var json = File.ReadAllText(path);
        Assert.Contains("\"mean_squared_error\": 0.0125", json);
        Assert.Contains("\"relative\":", json);
        Assert.Contains("\"concept_to_general\": 1", json);
        // Writing what was read gives the same file.
        read.Write(scratch.File("again.json"));
        Assert.Equal(json, File.ReadAllText(scratch.File("again.json")));
    }

    [Fact]
    public async Task Damage_of_a_lora_on_the_tiny_model_prints_and_writes_the_report()
    {
        using var scratch = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers(seed: 4);
        var lora = WriteLora(scratch.File("star.safetensors"));
        var output = scratch.File("reports/star.damage.json");

        int code = await CliApplication.RunAsync(["damage", "--base", model, "--lora", lora + ":0.5", "--concept-prompt", "a cat", "--output", output, .. Quick]);

        Assert.Equal(0, code);
        var report = DamageReport.Read(output);
        Assert.Equal(Path.GetFullPath(model), report.Base);
        Assert.Equal(report.Base, report.Tuned);
        Assert.Equal(("star", 0.5), (Assert.Single(report.Loras).Name, report.Loras[0].Strength));
        // The built-in general prompts (the tiny model is not the shapes world) and the unconditional prompt.
        Assert.Equal([.. GeneralPrompts.StableDiffusion, ""], report.General.Prompts);
        Assert.Equal([200, 800], report.General.Timesteps.Select(t => t.Timestep));
        Assert.True(report.General.Total.MeanSquaredError > 0);
        Assert.Equal(["a cat"], report.Concept!.Prompts);
        Assert.True(report.ConceptToGeneral > 0);
        Assert.Null(report.Evaluation);
    }

    [Fact]
    public async Task Damage_of_the_embedded_model_against_itself_is_zero_on_the_shapes_world_general_prompts()
    {
        using var scratch = new ScratchFolder();
        var output = scratch.File("self.damage.json");

        Assert.Equal(0, await CliApplication.RunAsync(["damage", "--output", output, .. Quick]));

        var report = DamageReport.Read(output);
        var shipped = File.ReadLines(EmbeddedModel.GeneralPromptsFile).Where(l => l.Length > 0 && !l.StartsWith('#'));
        Assert.Equal([.. shipped, ""], report.General.Prompts);
        Assert.Equal(0, report.General.Total.MeanSquaredError);
        Assert.All(report.General.Blocks, b => Assert.Equal(0, b.Drift.MeanSquaredError));
        Assert.Null(report.Concept);
    }

    [Fact]
    public async Task The_evaluator_comparison_is_refused_for_models_outside_the_shapes_world()
    {
        var model = RandomTinyModel.SaveDiffusers();
        Assert.Equal(1, await CliApplication.RunAsync(["damage", "--base", model, "--evaluate", .. Quick]));
    }

    [Fact]
    public async Task A_textual_inversion_run_ends_with_a_damage_report_that_sees_only_its_word()
    {
        using var scratch = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers();
        var output = scratch.File("ti");

        int code = await CliApplication.RunAsync(["train", "--trainer", "textual-inversion", "--images", QuickStart.SampleImages, "--model", model,
            "--instance-prompt", "a sks cat", "--class-prompt", "a cat", "--option", "init_word=cat", "--steps", "2", "--warmup-steps", "0",
            "--learning-rate", "0.05", "--output", output, "--device", "cpu"]);

        Assert.Equal(0, code);
        var report = DamageReport.Read(Path.Combine(output, "textual-inversion" + DamageReport.FileExtension));
        Assert.Equal("sks", Assert.Single(report.Embeddings).Name);
        Assert.Empty(report.Loras);
        Assert.Equal(["a sks cat"], report.Concept!.Prompts);
        // Textual inversion changes no weight: prompts without its word drift not at all.
        Assert.Equal(0, report.General.Total.MeanSquaredError);
        Assert.True(report.Concept.Total.MeanSquaredError > 0);
    }

    /// <summary>A kohya LoRA for the tiny model on a UNet attention layer and a text-encoder layer.</summary>
    static string WriteLora(string path)
    {
        var (model, layers) = TinyModel(seed: 4);
        using var _ = model;
        using var unet = RandomLowRank(UNetLayer(layers, SelfAttentionQuery), 4, 4);
        using var text = RandomLowRank(TextLayer(layers, TextQuery), 4, 4);
        KohyaLoraWriter.Save(path, [unet, text], new KohyaLoraMetadata());
        return path;
    }
}
