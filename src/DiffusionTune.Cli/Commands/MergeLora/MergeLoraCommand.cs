using System.Text.Json;
using DiffusionTune.Cli.Rendering;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Models.Merging;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Loading;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.MergeLora;

/// <summary>
/// Loads a model, merges the LoRAs into its weights and saves it as a diffusers folder or a single file. Ctrl+C is
/// honoured between loading, merging and saving; the save itself is atomic, so a cancelled run leaves nothing.
/// </summary>
public static class MergeLoraCommand
{
    public static int Run(MergeLoraSettings settings, CancellationToken cancellation)
    {
        if (settings.Loras.Count == 0) throw new ArgumentException("nothing to merge: give at least one --lora FILE[:STRENGTH]");
        var loras = settings.Loras.Select(LoraArgument.Parse).ToList();
        if (loras.FirstOrDefault(l => l.Trigger is not null) is { } gated)
            throw new ArgumentException($"--lora {gated.Text}: merge-lora bakes LoRAs into the weights every prompt uses, so it cannot gate one on a trigger word");
        var blockStrengths = settings.Alpha is null ? null : BlockWeightsArgument.Parse(settings.Alpha);
        var output = ModelOutput.Resolve(settings.Output, format: null, "merge-lora");

        using var model = settings.Loading.Load(settings.Model, ConsoleReporter.Lines);
        cancellation.ThrowIfCancellationRequested();
        var applied = LoraMerging.MergeInto(model, loras, ConsoleReporter.Lines, blockStrengths);
        var metadata = new Dictionary<string, string>
        {
            [ModelMetadata.MergedLoras] = JsonSerializer.Serialize(applied.Select(l => new { name = l.Name, hash = l.ShortHash, strength = l.Strength, blocks = blockStrengths?.ToString() })),
        };
        FiniteWeights.Require(model, $"merge-lora wrote nothing to {output.Path}");
        cancellation.ThrowIfCancellationRequested();
        output.Save(model, metadata);
        AnsiConsole.MarkupLineInterpolated($"Wrote the merged model to [bold]{output.Path}[/] ({output.Kind})");
        return CommandRunner.Success;
    }
}
