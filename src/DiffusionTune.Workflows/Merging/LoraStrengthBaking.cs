using System.Text.Json;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Adapters;
using DiffusionTune.Models.Merging;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Merging;

/// <summary>Writes a new kohya LoRA whose layers carry per-block strengths (<see cref="LoraBlockScaling"/>): <c>merge --lora</c>, and <c>calibrate</c>'s LoRA result.</summary>
public static class LoraStrengthBaking
{
    /// <summary>The full path of a LoRA file to write; refuses existing paths and other extensions before any work is done.</summary>
    /// <exception cref="ArgumentException">The path exists or does not end in .safetensors.</exception>
    public static string CheckOutput(string output, string verb)
    {
        var path = Path.GetFullPath(output);
        if (Path.Exists(path)) throw new ArgumentException($"{output} already exists; {verb} never overwrites, so choose a new path");
        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{output}: a LoRA is written as a .safetensors file; give a path ending in .safetensors");
        return path;
    }

    /// <summary>Checks that every layer of the LoRA can carry a per-block strength in a kohya file, before a long search depends on it.</summary>
    /// <exception cref="ArgumentException">A LoHa, LoKr or DoRA layer.</exception>
    /// <exception cref="ModelFileException">The file is missing or unreadable.</exception>
    public static void EnsureRescalable(StableDiffusionModel model, string loraPath, IWorkflowReporter reporter)
    {
        using var network = Read(model, loraPath, reporter);
        // Every layer at strength 1 goes through the same check the writer makes.
        foreach (var layer in LoraBlockScaling.Scale(network.Layers, BlockWeights.Uniform(1))) layer.Dispose();
    }

    /// <summary>
    /// Writes <paramref name="loraPath"/> with <paramref name="strengths"/> baked in to <paramref name="output"/>, recording
    /// the source and the strengths under <paramref name="metadataKey"/>.
    /// </summary>
    public static void Write(StableDiffusionModel model, string loraPath, BlockWeights strengths, string output, string metadataKey, IWorkflowReporter reporter)
    {
        using var network = Read(model, loraPath, reporter);
        var scaled = LoraBlockScaling.Scale(network.Layers, strengths);
        try
        {
            if (scaled.Count == 0)
                throw new ArgumentException($"strengths {strengths}: every layer of {network.Name} gets α 0, so the new LoRA would be empty");
            var added = new Dictionary<string, string>
            {
                [metadataKey] = JsonSerializer.Serialize(new { source = new { name = network.Name, hash = network.ShortHash }, alpha = strengths.ToString() }),
                ["ss_output_name"] = Path.GetFileNameWithoutExtension(output),
            };
            var metadata = KohyaLoraMetadata.Rewritten(network.Metadata, added, model.IsStableDiffusion2, model.IsVPrediction);
            // The factors keep the source file's precision (the scaled down factors are copies of the file's).
            KohyaLoraWriter.Save(output, scaled, metadata, scaled[0].Down.dtype, overwrite: false);
        }
        finally
        {
            foreach (var layer in scaled) layer.Dispose();
        }
        reporter.Message(
            $"Wrote {output}: {network.Name} with strengths {strengths} baked in ({scaled.Count} of {network.Layers.Count} layers; those at α 0 left out)");
    }

    static LoraNetwork Read(StableDiffusionModel model, string path, IWorkflowReporter reporter)
    {
        if (!File.Exists(path)) throw new ModelFileException(path, "LoRA file not found");
        return LoraMerging.Read(path, new AdaptableLayers(model.Unet, model.TextEncoder).Targets, strength: 1, reporter);
    }
}
