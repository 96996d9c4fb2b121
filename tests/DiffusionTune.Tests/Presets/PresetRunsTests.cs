using DiffusionTune.IO.Safetensors;
using DiffusionTune.Tests.Cli;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Workflows.Presets;
using DiffusionTune.Workflows.Training;

namespace DiffusionTune.Tests.Presets;

/// <summary>
/// Two presets trained one after the other into the same output folder never mix, a repeated run is resumed, and the
/// <c>generate</c> / <c>compare</c> commands a run prints work when pasted. Runs the CLI as its own process, as a shell does.
/// </summary>
public class PresetRunsTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    static string Preset(ScratchFolder folder, string name, int rank)
    {
        var path = folder.File(name + ".yaml");
        File.WriteAllText(path, $"""
            description: a tiny LoRA of rank {rank}
            trainer: lora
            learning_rate: 1.0e-3
            options:
              rank: {rank}
            sample_prompt:
              - a yellow sks star with a face
            """);
        return path;
    }

    static CliProcess.Result Train(ScratchFolder folder, string preset, string model, int steps = 2) =>
        CliProcess.Run(["train", "--preset", preset, "--images", QuickStart.SampleImages, "--model", model, "--steps", $"{steps}", "--warmup-steps", "0",
            "--batch-size", "1", "--sample-steps", "1", "--precision", "fp32", "--output", "out", "--device", "cpu", "--damage-report", "off"],
            folder.Path, Timeout, new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "1" });

    [Fact]
    public void Two_presets_in_one_output_folder_never_mix_and_the_printed_commands_run()
    {
        using var folder = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers();
        var small = Preset(folder, "small", rank: 4);
        var large = Preset(folder, "large", rank: 8);
        var runFolder = Path.Combine(folder.Path, "out", "lora-run");

        var first = Train(folder, small, model);
        Assert.False(first.Failed, first.Tail(30));
        Assert.Contains($"new run in {runFolder}", first.Output);
        Assert.True(File.Exists(Path.Combine(folder.Path, "out", "lora-before-after", "grid.png")), first.Tail(30));
        Assert.Contains("sample strips:     out/lora-run/samples (1: ", first.Output);

        // What the run printed to try its result runs as printed, in the same folder.
        var commands = first.Output.Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith("diffusiontune ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, commands.Count);
        Assert.StartsWith($"diffusiontune generate --model {model} --lora out/lora.safetensors --prompt 'a yellow sks star with a face' --seed 1", commands[0]);
        foreach (var command in commands)
        {
            var ran = CliProcess.Run(ShellWords.Split(command)[1..], folder.Path, Timeout);
            Assert.False(ran.Failed, $"{command}\n{ran.Tail(20)}");
        }
        Assert.Single(Directory.GetFiles(Path.Combine(folder.Path, "out", "lora-generated"), "*.png"));
        Assert.True(File.Exists(Path.Combine(folder.Path, "out", "lora-compare", "grid.png")));

        // Another preset, same output folder: a new run beside the first, the difference spelled out.
        var second = Train(folder, large, model);
        Assert.False(second.Failed, second.Tail(30));
        Assert.Contains($"{runFolder} holds a run with other settings (option rank 4 → 8): starting a new run in {Path.Combine(folder.Path, "out-2", "lora-run")}", second.Output);
        Assert.True(File.Exists(Path.Combine(folder.Path, "out-2", "lora.safetensors")));

        // The same command again: its own run, already finished.
        var again = Train(folder, large, model);
        Assert.False(again.Failed, again.Tail(30));
        Assert.Contains($"has already done 2 of 2 steps with these settings: nothing to train", again.Output);
        Assert.Contains("before/after grid: out-2/lora-before-after/grid.png", again.Output);

        // More steps: the run goes on, and its earlier final result is renamed to its step.
        var longer = Train(folder, large, model, steps: 3);
        Assert.False(longer.Failed, longer.Tail(30));
        Assert.Contains($"resuming run {Path.Combine(folder.Path, "out-2", "lora-run")} at step 2 of 3", longer.Output);
        using var earlier = SafetensorsFile.Open(Path.Combine(folder.Path, "out-2", "lora-step000002.safetensors"));
        Assert.Equal("2", earlier.Metadata["diffusiontune.step"]);
        using var final = SafetensorsFile.Open(Path.Combine(folder.Path, "out-2", "lora.safetensors"));
        Assert.Equal("3", final.Metadata["diffusiontune.step"]);
    }
}
