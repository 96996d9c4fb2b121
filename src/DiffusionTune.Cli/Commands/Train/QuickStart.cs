using DiffusionTune.Cli.Commands.Compare;
using DiffusionTune.Cli.Commands.Generate;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Training.Engine;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.Train;

/// <summary>
/// <c>train</c> with no preset, trainer or images: trains the <c>quick-test</c> preset on the sample images shipped
/// next to the executable (<c>samples/sks-star</c>, a yellow star with a face, which the embedded model has never
/// seen), then generates a before/after grid (the base model against the result, same seeds) from the preset's
/// sample prompts. Every other option still applies, so <c>train --model M --steps 2 --output DIR</c> runs the same
/// path on another model (the tests inject their tiny model this way).
/// </summary>
public static class QuickStart
{
    public const string PresetName = "quick-test";

    /// <summary>Seeds per sample prompt in the before/after grid.</summary>
    const int SeedsPerPrompt = 2;

    /// <summary>The sample images shipped with the executable.</summary>
    public static string SampleImages => Path.Combine(AppContext.BaseDirectory, "samples", "sks-star");

    /// <summary>True when the request names no preset, trainer or images.</summary>
    public static bool Applies(TrainRequest request) =>
        request.Preset is null && !request.Gives(TrainSettings.Trainer) && !request.Gives(TrainSettings.Images);

    /// <summary>Points the run at the sample images (unless the preset names images itself) and says what is about to happen.</summary>
    public static void UseSampleImages(TrainSettingValues values)
    {
        if (!values.IsSet(TrainSettings.Images))
            values.Set(TrainSettings.Images, new SettingValue(SampleImages, new SettingOrigin("the shipped sample images")));
        AnsiConsole.MarkupLineInterpolated(
            $"No preset, trainer or images given: quick start. Training the [bold]{PresetName}[/] preset on {values.Get(TrainSettings.Images)}, then comparing before and after.");
        AnsiConsole.MarkupLine("(For your own images: train --preset subject-lora --images DIR; see `presets list`.)");
    }

    /// <summary>Generates the before/after grid of a finished run and prints where it is.</summary>
    public static void ShowBeforeAfter(TrainJob job, CancellationToken cancellation)
    {
        var after = FinalResult(job);
        if (after is null)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] no before/after grid: no final result named {job.OutputName} in {job.OutputFolder}");
            return;
        }
        var afterColumn = IsLora(after)
            ? new ComparisonColumn("after", job.Model, new ComparisonAdapter(AdapterKind.Lora, after, 1.0))
            : new ComparisonColumn("after", after, null);
        var prompts = job.Engine.SamplePrompts.Count > 0 ? job.Engine.SamplePrompts
            : [job.InstancePrompt ?? throw new ArgumentException("the quick start needs sample prompts (sample_prompt in the preset)")];
        var folder = Path.Combine(job.OutputFolder, $"{job.OutputName}-before-after");
        // The folder is this run's own: images of an earlier run show an older result, so they are not reused.
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var comparison = ComparisonRun.Run(new ComparisonPlan
        {
            Columns = [new ComparisonColumn("before", job.Model, null), afterColumn],
            Rows = CompareCommand.Rows(prompts, null, seed: 1, SeedsPerPrompt),
            Output = folder,
            // The training run's own sample settings; fp32, because the grid shows the result, not the training precision.
            Sampling = new SamplingSettings { Steps = job.Engine.SampleSteps, Cfg = job.Engine.SampleGuidance, Loading = new() { Device = job.Device } },
        }, cancellation);
        foreach (var failure in comparison.Failures)
            AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] {failure.Problem}");
        if (comparison.GridPath is not null)
            AnsiConsole.MarkupLineInterpolated($"Before/after grid: [bold]{comparison.GridPath}[/] (left: the base model, right: after training; same seeds)");
    }

    /// <summary>The run's final result: <c>NAME.safetensors</c> or the folder <c>NAME</c> in the output folder.</summary>
    static string? FinalResult(TrainJob job)
    {
        var file = Path.Combine(job.OutputFolder, job.OutputName + ".safetensors");
        if (File.Exists(file)) return file;
        var folder = Path.Combine(job.OutputFolder, job.OutputName);
        return Directory.Exists(folder) ? folder : null;
    }

    /// <summary>LoRA results carry kohya's network metadata; full checkpoints do not.</summary>
    static bool IsLora(string path)
    {
        if (!File.Exists(path)) return false;
        using var file = SafetensorsFile.Open(path);
        return file.Metadata.ContainsKey("ss_network_dim");
    }
}
