using System.Text.Json;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Adapters;
using DiffusionTune.Models.Merging;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.Merge;

/// <summary><c>merge --lora FILE --alpha SPEC</c>: writes a new kohya LoRA whose layers carry the per-block strengths (<see cref="LoraBlockScaling"/>).</summary>
public static class LoraStrengthBaking
{
    public static int Run(MergeSettings settings, BlockWeights strengths)
    {
        var path = settings.Lora!;
        if (!File.Exists(path)) throw new ModelFileException(path, "LoRA file not found");
        var output = Path.GetFullPath(settings.Output);
        if (Path.Exists(output)) throw new ArgumentException($"{settings.Output} already exists; merge never overwrites, so choose a new path");
        if (!output.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{settings.Output}: a LoRA is written as a .safetensors file; give a path ending in .safetensors");

        using var model = settings.Loading.Load(settings.Model);
        using var network = LoraMerging.Read(path, new AdaptableLayers(model.Unet, model.TextEncoder).Targets, strength: 1);
        var scaled = LoraBlockScaling.Scale(network.Layers, strengths);
        try
        {
            if (scaled.Count == 0)
                throw new ArgumentException($"--alpha {strengths}: every layer of {network.Name} gets α 0, so the new LoRA would be empty");
            var added = new Dictionary<string, string>
            {
                [ModelMetadata.LoraBlockStrengths] = JsonSerializer.Serialize(new { source = new { name = network.Name, hash = network.ShortHash }, alpha = strengths.ToString() }),
                ["ss_output_name"] = Path.GetFileNameWithoutExtension(output),
            };
            var metadata = KohyaLoraMetadata.Rewritten(network.Metadata, added, model.IsStableDiffusion2, model.IsVPrediction);
            // The factors keep the source file's precision (the scaled down factors are copies of the file's).
            KohyaLoraWriter.Save(output, scaled, metadata, scaled[0].Down.dtype);
        }
        finally
        {
            foreach (var layer in scaled) layer.Dispose();
        }
        AnsiConsole.MarkupLineInterpolated(
            $"Wrote [bold]{output}[/]: {network.Name} with strengths {strengths} baked in ({scaled.Count} of {network.Layers.Count} layers; those at α 0 left out)");
        return CommandRunner.Success;
    }
}
