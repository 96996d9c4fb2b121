using System.Text.Json;
using DiffusionTune.Cli.Commands.Generate;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.Models.Runtime;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.MergeLora;

/// <summary>Loads a model, merges the LoRAs into its weights and saves it as a diffusers folder or a single file.</summary>
public static class MergeLoraCommand
{
    public static int Run(MergeLoraSettings settings)
    {
        if (settings.Loras.Count == 0) throw new ArgumentException("nothing to merge: give at least one --lora FILE[:STRENGTH]");
        var loras = settings.Loras.Select(LoraArgument.Parse).ToList();
        var output = Path.GetFullPath(settings.Output);
        if (Path.Exists(output))
            throw new ArgumentException($"{settings.Output} already exists; merge-lora never overwrites, so choose a new path");
        var extension = Path.GetExtension(output).ToLowerInvariant();
        if (extension is ".ckpt" or ".pt" or ".pth" or ".bin")
            throw new ArgumentException($"{settings.Output}: pickle checkpoints are not written; use a .safetensors path or a folder");
        bool singleFile = extension == ".safetensors";

        using var model = ModelLoading.Load(settings.Model, settings.Device, settings.Precision, settings.Tokenizer, settings.PredictionType);
        var applied = LoraMerging.MergeInto(model, loras);
        var metadata = new Dictionary<string, string>
        {
            [ModelMetadata.MergedLoras] = JsonSerializer.Serialize(applied.Select(l => new { name = l.Name, hash = l.ShortHash, strength = l.Strength })),
        };
        if (singleFile)
            model.SaveSingleFile(output, metadata);
        else
            model.SaveDiffusers(output, metadata);
        AnsiConsole.MarkupLineInterpolated($"Wrote the merged model to [bold]{output}[/] ({(singleFile ? "single file" : "diffusers folder")})");
        return CommandRunner.Success;
    }
}
