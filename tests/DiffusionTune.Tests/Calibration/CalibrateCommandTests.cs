using DiffusionTune.Cli;
using DiffusionTune.Diffusion.Merging;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Models.Merging;
using DiffusionTune.Tests.Merging;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Calibration;
using static DiffusionTune.Tests.Adapters.AdapterTestData;

namespace DiffusionTune.Tests.Calibration;

/// <summary>The <c>calibrate</c> command on tiny models: what it writes, and what it refuses.</summary>
public class CalibrateCommandTests
{
    static readonly string[] Quick = ["--seeds", "1", "--timesteps", "200", "800", "--global-steps", "4", "--max-evaluations", "14", "--device", "cpu"];

    [Fact]
    public async Task A_lora_is_written_back_with_the_chosen_strengths_baked_in_and_a_report_and_plot_beside_it()
    {
        using var scratch = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers(seed: 6);
        var lora = WriteKohyaLora("calibrate.safetensors", [(AttentionOut, 4), (CrossAttentionKey, 4), (ProjectIn, 4)], dtype: TorchSharp.torch.ScalarType.Float32);
        var output = scratch.File("out/star-calibrated.safetensors");

        int code = await CliApplication.RunAsync(["calibrate", "--base", model, "--lora", lora, "--concept-prompt", "a cat", "--budget", "0.3x", "-o", output, .. Quick]);

        Assert.Equal(0, code);
        var report = CalibrationReport.Read(scratch.File("out/star-calibrated.calibration.json"));
        Assert.Equal(output, report.Output);
        Assert.Equal(0.3 * report.TunedModel.GeneralDrift, report.DriftLimit, 12);
        Assert.True(report.Chosen.GeneralDrift <= report.DriftLimit);
        Assert.InRange(report.Chosen.ConceptFidelity, 0.01, 1);
        Assert.Equal(1.0, report.TunedModel.ConceptFidelity);
        Assert.Equal("global", report.Points[0].Phase);
        Assert.InRange(report.Points.Count, 5, 14);
        Assert.Equal(["a cat"], report.ConceptPrompts);
        var plot = File.ReadAllBytes(report.Plot);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], plot[..4]);

        // The written LoRA at strength 1 is the interpolation at the chosen strengths.
        var chosen = BlockWeights.Parse(report.Chosen.Alpha);
        using (var file = SafetensorsFile.Open(output))
            Assert.Contains(chosen.ToString(), file.Metadata[ModelMetadata.Calibration]);
        using var baseModel = StableDiffusionModel.Load(model);
        using var tuned = AdaptedModel.Apply(StableDiffusionModel.Load(model), new ModelAdapters { Loras = [new(lora, 1)] }, new RecordingReporter());
        using var expected = StableDiffusionModel.Load(model);
        CheckpointInterpolation.Interpolate(baseModel, tuned.Model, chosen, expected);
        using var calibrated = AdaptedModel.Apply(StableDiffusionModel.Load(model), new ModelAdapters { Loras = [new(output, 1)] }, new RecordingReporter());
        MergeTestModels.AssertClose(expected, calibrated.Model, 1e-5);
    }

    [Fact]
    public async Task A_checkpoint_is_written_as_the_interpolation_at_the_chosen_strengths()
    {
        using var scratch = new ScratchFolder();
        var (basePath, tunedPath) = MergeTestModels.SavedPair(seed: 7);
        var output = scratch.File("calibrated");

        int code = await CliApplication.RunAsync(["calibrate", "--base", basePath, "--tuned", tunedPath, "--concept-prompt", "a cat", "--concept-prompt", "a red dog",
            "--budget", "0.5x", "-o", output, .. Quick]);

        Assert.Equal(0, code);
        var report = CalibrationReport.Read(output + ".calibration.json");
        Assert.Equal(output, report.Output);
        Assert.True(report.Chosen.GeneralDrift <= report.DriftLimit);
        Assert.True(report.Chosen.ConceptFidelity > report.Points.Where(p => p.GeneralDrift <= report.DriftLimit).Min(p => p.ConceptFidelity));
        // Every tensor moved, the text encoder's too: the per-block search has a text-encoder knob.
        Assert.Contains(report.Points, p => p.Alpha.Contains("te=", StringComparison.Ordinal));
        using var baseModel = StableDiffusionModel.Load(basePath);
        using var tuned = StableDiffusionModel.Load(tunedPath);
        using var expected = StableDiffusionModel.Load(basePath);
        CheckpointInterpolation.Interpolate(baseModel, tuned, BlockWeights.Parse(report.Chosen.Alpha), expected);
        using var written = StableDiffusionModel.Load(output);
        MergeTestModels.AssertIdentical(expected, written);
        using var unetFile = SafetensorsFile.Open(Directory.GetFiles(Path.Combine(output, "unet"), "*.safetensors").Single());
        Assert.Contains(report.Chosen.Alpha, unetFile.Metadata[ModelMetadata.Calibration]);
    }

    [Fact]
    public async Task A_fine_tune_already_within_the_budget_is_reported_and_nothing_is_written()
    {
        using var scratch = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers(seed: 6);
        var lora = WriteKohyaLora("within.safetensors", [(AttentionOut, 4)]);
        var output = scratch.File("within.safetensors");

        Assert.Equal(0, await CliApplication.RunAsync(["calibrate", "--base", model, "--lora", lora, "--concept-prompt", "a cat", "--budget", "1x", "-o", output, .. Quick]));

        Assert.False(File.Exists(output));
        var report = CalibrationReport.Read(scratch.File("within.calibration.json"));
        Assert.Null(report.Output);
        Assert.Equal("1", report.Chosen.Alpha);
        Assert.All(report.Points, p => Assert.Equal("global", p.Phase));
    }

    [Fact]
    public async Task Incomplete_or_bad_requests_fail_before_any_work()
    {
        using var scratch = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers(seed: 6);
        var lora = WriteKohyaLora("bad.safetensors", [(AttentionOut, 4)]);
        string[] common = ["--base", model, "--device", "cpu"];
        File.WriteAllText(scratch.File("exists.safetensors"), "");

        Assert.Equal(1, await CliApplication.RunAsync(["calibrate", .. common, "--concept-prompt", "a cat", "-o", scratch.File("a")]));
        Assert.Equal(1, await CliApplication.RunAsync(["calibrate", .. common, "--lora", lora, "-o", scratch.File("b.safetensors")]));
        Assert.Equal(1, await CliApplication.RunAsync(["calibrate", .. common, "--lora", lora, "--concept-prompt", "a cat", "--budget", "half", "-o", scratch.File("c.safetensors")]));
        Assert.Equal(1, await CliApplication.RunAsync(["calibrate", .. common, "--lora", lora, "--concept-prompt", "a cat", "-o", scratch.File("exists.safetensors")]));
        Assert.Equal(1, await CliApplication.RunAsync(["calibrate", .. common, "--lora", lora, "--concept-prompt", "a cat", "-o", scratch.File("d.ckpt")]));
        Assert.Equal(1, await CliApplication.RunAsync(["calibrate", .. common, "--lora", lora, "--concept-prompt", "a cat", "-o", scratch.File("e"), "--max-evaluations", "3"]));
        Assert.Equal(1, await CliApplication.RunAsync(["calibrate", .. common, "--lora", lora + "@sks", "--concept-prompt", "a sks cat", "-o", scratch.File("f.safetensors")]));
        Assert.False(File.Exists(scratch.File("b.calibration.json")));
    }
}
