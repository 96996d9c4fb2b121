using System.Text.Json;
using System.Text.RegularExpressions;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Models.Adapters;
using DiffusionTune.Tests.Data;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Training.Checkpoints;
using DiffusionTune.Training.Engine;
using DiffusionTune.Training.Plugins;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Training;

/// <summary>Trainer plugins driven end to end by the engine on the tiny random model.</summary>
public class TrainingEngineTests
{
    internal static readonly PluginCatalog Plugins = PluginCatalog.Load([Path.Combine(AppContext.BaseDirectory, "plugins")]);

    static TrainJob Job(string trainer, string model, string images, string output, int steps = 6) => new()
    {
        Trainer = trainer,
        Model = model,
        Images = images,
        InstancePrompt = "a sks cat",
        ClassPrompt = "a cat",
        Resolution = 32,
        Engine = new EngineSettings { Steps = steps, SaveEvery = 3, LearningRate = 1e-3, Seed = 7, SampleSteps = 2 },
        OutputFolder = output,
        OutputName = trainer,
        RunFolder = Path.Combine(output, "run"),
        Device = "cpu",
    };

    static string Images(DataFolder folder)
    {
        for (int i = 0; i < 3; i++) folder.Image($"subject/{i}.png", seed: i);
        return Path.Combine(folder.Path, "subject");
    }

    static TrainResult Run(TrainJob job, int? stopAfter = null)
    {
        using var cancel = new CancellationTokenSource();
        var result = new TrainingEngine(Plugins, _ => { }, _ => { }).Run(job,
            (done, _, _) => { if (done == stopAfter) cancel.Cancel(); }, null, cancel.Token);
        result.Model.Dispose();
        return result;
    }

    static double[] Losses(string runFolder) =>
        File.ReadLines(Path.Combine(runFolder, "logs", "scalars.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.GetProperty("values").TryGetProperty("lora/loss", out _))
            .Select(e => e.GetProperty("values").GetProperty("lora/loss").GetDouble())
            .ToArray();

    [Fact]
    public void Lora_training_writes_step_named_kohya_files_that_load_and_change_the_model()
    {
        using var data = new DataFolder();
        var model = RandomTinyModel.SaveDiffusers();
        var output = Path.Combine(data.Path, "out");
        var result = Run(Job("lora", model, Images(data), output) with { TrainerOptions = new Dictionary<string, string> { ["rank"] = "2" } });

        Assert.True(result.Finished);
        Assert.Equal(["lora-step000003.safetensors", "lora.safetensors"],
            Directory.GetFiles(output, "*.safetensors").Select(f => Path.GetFileName(f)).Order().ToArray());
        using var file = SafetensorsFile.Open(Path.Combine(output, "lora.safetensors"));
        Assert.Equal("2", file.Metadata["ss_network_dim"]);
        Assert.Equal("6", file.Metadata["diffusiontune.step"]);
        Assert.Contains("\"name\":\"lora\"", file.Metadata["diffusiontune.config"]);
        // The instance prompt's identifier, which --gated gates the LoRA on.
        Assert.Equal("sks", file.Metadata[ModelMetadata.Trigger]);

        using var loaded = StableDiffusionModel.Load(model);
        var network = LoraNetwork.Read(Path.Combine(output, "lora.safetensors"), new AdaptableLayers(loaded.Unet, loaded.TextEncoder).Targets);
        Assert.Empty(network.UnknownKeys);
        Assert.NotEmpty(network.Layers);
        Assert.Contains(network.Layers, layer =>
        {
            using var delta = layer.Delta(1.0, CPU);
            return delta.abs().max().item<float>() > 0;
        });
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("fp16")]  // with dynamic loss scaling, its state in the checkpoint (slow on the CPU, but it runs)
    public void A_resumed_run_continues_the_loss_curve_bit_for_bit(string precision)
    {
        using var data = new DataFolder();
        var model = RandomTinyModel.SaveDiffusers();
        var images = Images(data);
        var straight = Job("lora", model, images, Path.Combine(data.Path, "straight")) with { Precision = precision };
        var resumed = Job("lora", model, images, Path.Combine(data.Path, "resumed")) with { Precision = precision };

        Run(straight);
        var stopped = Run(resumed, stopAfter: 3);
        Assert.False(stopped.Finished);
        Assert.Equal(3, stopped.StepsDone);
        Run(resumed);

        Assert.Equal(Losses(straight.RunFolder), Losses(resumed.RunFolder));
        Assert.Equal(precision == "fp16", File.ReadAllText(Path.Combine(resumed.RunFolder, "logs", "scalars.jsonl")).Contains("lora/loss_scale"));
        using var a = SafetensorsFile.Open(Path.Combine(straight.OutputFolder, "lora.safetensors"));
        using var b = SafetensorsFile.Open(Path.Combine(resumed.OutputFolder, "lora.safetensors"));
        foreach (var name in a.Names)
            Assert.True(TensorAssert.Identical(a.Load(name), b.Load(name)), $"{name} differs after resuming");
    }

    [Fact]
    public void A_run_resumed_after_a_kill_logs_each_step_once_and_removes_what_was_left_half_written()
    {
        using var data = new DataFolder();
        var model = RandomTinyModel.SaveDiffusers();
        var images = Images(data);
        var straight = Job("lora", model, images, Path.Combine(data.Path, "straight"));
        var killed = Job("lora", model, images, Path.Combine(data.Path, "killed"));
        Run(straight);
        Run(killed, stopAfter: 5);
        // As a kill while saving step 5 leaves it: that checkpoint and a result file half written, the log's last row cut short.
        var checkpoints = new RunCheckpoints(killed.RunFolder);
        Directory.Move(checkpoints.Latest()!.Value.Folder, Path.Combine(checkpoints.Folder, TemporaryName.For("step-000005")));
        File.WriteAllBytes(Path.Combine(killed.OutputFolder, TemporaryName.For("lora-step000006.safetensors")), new byte[1000]);
        var scalars = Path.Combine(killed.RunFolder, "logs", "scalars.jsonl");
        File.AppendAllText(scalars, "{\"step\":5,\"values\":{\"lora/lo");

        var messages = new List<string>();
        var resumed = new TrainingEngine(Plugins, messages.Add, _ => { }).Run(killed, null, null, CancellationToken.None);
        resumed.Model.Dispose();

        Assert.Single(messages, m => Regex.IsMatch(m, @"^removed 2 temporary file\(s\) or folder\(s\) \(\d+\.\d MB\) left half written by an interrupted run$"));
        Assert.Empty(Directory.GetFiles(killed.OutputFolder, "*.tmp"));
        Assert.Empty(Directory.GetDirectories(checkpoints.Folder, "*.tmp"));
        // Steps 4 and 5 ran again from the checkpoint of step 3; their new rows are the ones kept, once each.
        var steps = File.ReadLines(scalars).Select(line => JsonDocument.Parse(line).RootElement)
            .Where(row => row.GetProperty("values").TryGetProperty("lora/loss", out _))
            .Select(row => row.GetProperty("step").GetInt32());
        Assert.Equal([1, 2, 3, 4, 5, 6], steps);
        Assert.Equal(Losses(straight.RunFolder), Losses(killed.RunFolder));
    }

    [Fact]
    public void DreamBooth_with_prior_preservation_writes_a_full_model_that_loads()
    {
        using var data = new DataFolder();
        var model = RandomTinyModel.SaveDiffusers();
        var output = Path.Combine(data.Path, "out");
        var job = Job("dreambooth", model, Images(data), output, steps: 3) with
        {
            Prior = PriorPreservation.Generated,
            ClassImages = 2,
            TrainerOptions = new Dictionary<string, string> { ["image_free_prior_weight"] = "0.5" },
        };
        var result = Run(job);

        Assert.True(result.Finished);
        using var tuned = StableDiffusionModel.Load(Path.Combine(output, "dreambooth"));
        using var original = StableDiffusionModel.Load(model);
        var changed = original.Unet.state_dict().Any(kv => !TensorAssert.Identical(kv.Value, tuned.Unet.state_dict()[kv.Key]));
        Assert.True(changed, "DreamBooth did not change the UNet");
    }

    [Fact]
    public void Unknown_trainer_options_are_refused_with_a_suggestion()
    {
        using var data = new DataFolder();
        var job = Job("lora", RandomTinyModel.SaveDiffusers(), Images(data), Path.Combine(data.Path, "out")) with
        {
            TrainerOptions = new Dictionary<string, string> { ["rnak"] = "4" },
        };
        var error = Assert.Throws<ArgumentException>(() => Run(job));
        Assert.Contains("no option 'rnak' (did you mean 'rank'?)", error.Message);
    }

    [Fact]
    public void A_class_prompt_with_a_word_the_instance_prompt_lacks_is_refused_rather_than_left_out_of_the_class_images()
    {
        using var data = new DataFolder();
        var job = Job("dreambooth", RandomTinyModel.SaveDiffusers(), Images(data), Path.Combine(data.Path, "out")) with
        {
            InstancePrompt = "a zwx star",
            ClassPrompt = "a plain star",
            Prior = PriorPreservation.Generated,
        };
        var error = Assert.Throws<ArgumentException>(() => Run(job));
        Assert.Contains("'a plain star' has words the instance prompt 'a zwx star' lacks (plain)", error.Message);
    }

    [Fact]
    public void Out_of_range_values_are_refused()
    {
        using var data = new DataFolder();
        var job = Job("lora", RandomTinyModel.SaveDiffusers(), Images(data), Path.Combine(data.Path, "out")) with
        {
            TrainerOptions = new Dictionary<string, string> { ["rank"] = "0" },
        };
        var error = Assert.Throws<ArgumentException>(() => Run(job));
        Assert.Contains("option 'rank' is 0, outside its range [1, 1024]", error.Message);
    }
}
