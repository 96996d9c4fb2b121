using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DiffusionTune.Cli.Rendering;
using DiffusionTune.Diffusion.Merging;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Merging;
using DiffusionTune.Workflows.Loading;
using DiffusionTune.Workflows.Merging;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.Merge;

/// <summary>
/// Interpolates every tensor of a base model and a fine-tune of it (<see cref="CheckpointInterpolation"/>) and saves
/// the result as a new model; with <c>--lora</c>, rescales a LoRA per block instead (<see cref="LoraStrengthBaking"/>).
/// Ctrl+C is honoured between loading, interpolating and saving; the save itself is atomic.
/// </summary>
public static class MergeCommand
{
    public static int Run(MergeSettings settings, CancellationToken cancellation)
    {
        var weights = BlockWeightsArgument.Parse(settings.Alpha);
        if (settings.Lora is not null)
        {
            if (settings.Base is not null || settings.Tuned is not null)
                throw new ArgumentException("give either --lora (to rescale a LoRA) or --base and --tuned (to interpolate two models), not both");
            if (settings.ModelFormat is not null)
                throw new ArgumentException("--model-format is for models; with --lora the result is a LoRA file");
            return BakeLora(settings, weights, cancellation);
        }
        if (settings.Base is null || settings.Tuned is null)
            throw new ArgumentException("give --base and --tuned (the two models to interpolate), or --lora FILE (a LoRA to rescale per block)");
        if (settings.Model is not null)
            throw new ArgumentException("--model names the model a --lora is for; to interpolate two models give --base and --tuned");
        var output = ModelOutput.Resolve(settings.Output, settings.ModelFormat, "merge");

        var clock = Stopwatch.StartNew();
        using var @base = settings.Loading.Load(settings.Base, ConsoleReporter.Lines);
        cancellation.ThrowIfCancellationRequested();
        using var tuned = settings.Loading.Load(settings.Tuned, ConsoleReporter.Lines);
        cancellation.ThrowIfCancellationRequested();
        var loading = clock.Elapsed;
        // The tuned model becomes the result: each of its tensors is read before it is overwritten.
        var counts = CheckpointInterpolation.Interpolate(@base, tuned, weights, tuned);
        var interpolation = clock.Elapsed - loading;
        var metadata = new Dictionary<string, string>
        {
            [ModelMetadata.Merge] = JsonSerializer.Serialize(new { @base = ModelReference.Of(@base), tuned = ModelReference.Of(tuned), alpha = weights.ToString() }),
        };
        FiniteWeights.Require(tuned, $"merge wrote nothing to {output.Path}");
        cancellation.ThrowIfCancellationRequested();
        output.Save(tuned, metadata);
        var saving = clock.Elapsed - loading - interpolation;

        var table = new ResultTable($"merge at α {weights}", "component", "tensors", "base (α 0)", "tuned (α 1)", "interpolated");
        foreach (var (component, made) in counts)
            table.AddRow(component.FolderName(), Count(made.Total), Count(made.FromBase), Count(made.FromTuned), Count(made.Interpolated));
        table.Write();
        AnsiConsole.MarkupLineInterpolated(
            $"Wrote [bold]{output.Path}[/] ({output.Kind}): loading {Duration.Seconds(loading)}, interpolation {Duration.Seconds(interpolation)}, saving {Duration.Seconds(saving)}");
        return CommandRunner.Success;
    }

    static string Count(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary><c>merge --lora FILE --alpha SPEC</c>: the LoRA rewritten with the strengths baked in (<see cref="LoraStrengthBaking"/>).</summary>
    static int BakeLora(MergeSettings settings, BlockWeights strengths, CancellationToken cancellation)
    {
        var output = LoraStrengthBaking.CheckOutput(settings.Output, "merge");
        using var model = settings.Loading.Load(settings.Model, ConsoleReporter.Lines);
        cancellation.ThrowIfCancellationRequested();
        LoraStrengthBaking.Write(model, settings.Lora!, strengths, output, ModelMetadata.LoraBlockStrengths, ConsoleReporter.Lines);
        return CommandRunner.Success;
    }
}
