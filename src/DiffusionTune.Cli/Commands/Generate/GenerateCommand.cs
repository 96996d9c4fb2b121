using System.Reflection;
using System.Text.Json;
using DiffusionTune.Cli.Rendering;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.IO;
using DiffusionTune.IO.Images;
using DiffusionTune.Models.Adapters;
using DiffusionTune.Models.Runtime;
using Spectre.Console;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Generate;

/// <summary>Loads a model and generates every requested image, writing PNGs with metadata plus a JSON manifest of the run.</summary>
public static class GenerateCommand
{
    public static int Run(GenerateSettings settings, CancellationToken cancellation)
    {
        var jobs = Jobs(settings);
        if (settings.BatchCount < 1) throw new ArgumentException("--batch-count must be at least 1");
        using var adapted = AdaptedModel.Apply(settings.Sampling.LoadModel(settings.Model), settings.Adapters);
        var (model, applied, embeddings) = (adapted.Model, adapted.Loras, adapted.Embeddings);
        var pipeline = new TextToImagePipeline(model);
        var output = new ImageOutputFolder(settings.Output);
        var written = new List<object>();
        var requests = jobs.SelectMany(job => Enumerable.Range(0, settings.BatchCount).Select(batch => Request(settings, job, batch, model))).ToList();
        foreach (var request in requests) request.Validate(model);

        ProgressDisplay.Run(progress =>
        {
            for (int r = 0; r < requests.Count; r++)
            {
                var request = requests[r];
                var task = progress.Start($"[{r + 1}/{requests.Count}] seed {request.Seed}", request.Steps);
                using var scope = NewDisposeScope();
                var images = pipeline.Generate(request, (done, _) => task.Advance(done), cancellation);
                var bitmaps = ImageTensors.ToBitmaps(images);
                var paths = new List<string>();
                for (int i = 0; i < bitmaps.Length; i++)
                {
                    using var bitmap = bitmaps[i];
                    var parameters = Parameters(request, request.Seeds[i], model, applied, embeddings, adapted.Hypernetworks);
                    var path = output.Save(bitmap, parameters);
                    paths.Add(path);
                    written.Add(new { file = Path.GetFileName(path), parameters = parameters.ToParametersText(), prompt = request.Prompt, seed = request.Seeds[i] });
                }
                task.Finish($"→ {string.Join(", ", paths.Select(Path.GetFileName))}");
            }
        });

        var manifest = output.NewManifestPath();
        AtomicFile.WriteAllText(manifest, JsonSerializer.Serialize(new
        {
            model = model.SourcePath,
            model_hash = model.ShortHash,
            device = model.Device.ToString(),
            precision = Precision.NameOf(model.Dtype),
            loras = applied.Select(l => new { name = l.Name, file = l.Path, hash = l.ShortHash, strength = l.Strength, gated = l.Trigger is not null, trigger = l.Trigger }),
            embeddings = embeddings.Select(e => new { name = e.Name, file = e.FilePath, hash = e.ShortHash, vectors = e.VectorCount, format = e.Format }),
            hypernetworks = adapted.Hypernetworks.Select(h => new { name = h.Name, file = h.Path, hash = h.ShortHash, strength = h.Strength, gated = h.Trigger is not null, trigger = h.Trigger }),
            images = written,
        }, new JsonSerializerOptions { WriteIndented = true }));
        AnsiConsole.MarkupLineInterpolated($"Wrote {written.Count} image(s) to [bold]{output.Folder}[/] (manifest {Path.GetFileName(manifest)})");
        return CommandRunner.Success;
    }

    static IReadOnlyList<PromptJob> Jobs(GenerateSettings settings)
    {
        if (settings.Prompt is not null && settings.PromptsFile is not null)
            throw new ArgumentException("give either --prompt or --prompts, not both");
        if (settings.PromptsFile is not null) return PromptFile.Read(settings.PromptsFile);
        if (settings.Prompt is not null) return [new PromptJob(settings.Prompt)];
        throw new ArgumentException("nothing to generate: give --prompt TEXT or --prompts FILE");
    }

    static GenerationRequest Request(GenerateSettings settings, PromptJob job, int batchIndex, StableDiffusionModel model)
    {
        int batchSize = job.BatchSize ?? settings.BatchSize;
        long baseSeed = job.Seed ?? settings.Seed ?? Random.Shared.NextInt64(0, uint.MaxValue);
        return settings.Sampling.Request(job, baseSeed + (long)batchIndex * batchSize, batchSize, model);
    }

    /// <summary>
    /// The metadata of one generated image: its request's settings, the embeddings its prompts use, the hypernetworks
    /// and LoRAs applied (under A1111's infotext keys; a gated one only when the prompt has its trigger, which
    /// <c>Hypernet gates</c> and <c>Lora gates</c> then record), and the program version.
    /// </summary>
    public static GenerationParameters Parameters(GenerationRequest request, long seed, StableDiffusionModel model, IReadOnlyList<AppliedLora> loras,
        IReadOnlyList<LoadedEmbedding> embeddings, IReadOnlyList<AppliedHypernetwork> hypernetworks)
    {
        hypernetworks = [.. hypernetworks.Where(h => AppliesTo(request.Prompt, h.Trigger))];
        loras = [.. loras.Where(l => AppliesTo(request.Prompt, l.Trigger))];
        var extra = new List<KeyValuePair<string, string>>();
        if (EmbeddingLoading.HashesText(embeddings, request.Prompt, request.NegativePrompt) is { } embeddingHashes)
            extra.Add(new("TI hashes", embeddingHashes));
        if (hypernetworks.Count > 0)
        {
            extra.Add(new("Hypernet", string.Join(", ", hypernetworks.Select(h => h.Name))));
            extra.Add(new("Hypernet hash", string.Join(", ", hypernetworks.Select(h => h.ShortHash))));
            extra.Add(new("Hypernet strength", string.Join(", ", hypernetworks.Select(h => h.Strength.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
            if (GatesText(hypernetworks.Select(h => (h.Name, h.Trigger))) is { } hypernetworkGates) extra.Add(new("Hypernet gates", hypernetworkGates));
        }
        if (loras.Count > 0)
        {
            extra.Add(new("Lora hashes", LoraMerging.HashesText(loras)));
            extra.Add(new("Lora strengths", LoraMerging.StrengthsText(loras)));
            if (GatesText(loras.Select(l => (l.Name, l.Trigger))) is { } loraGates) extra.Add(new("Lora gates", loraGates));
        }
        return request.ParametersFor(seed, model) with
        {
            Extra = extra,
            Version = ProgramVersion is { } version ? $"DiffusionTune {version.Split('+')[0]}" : "DiffusionTune",
        };
    }

    /// <summary>Whether an adapter gated on <paramref name="trigger"/> (null: ungated) applies to <paramref name="prompt"/>.</summary>
    static bool AppliesTo(string prompt, string? trigger) => trigger is null || PromptWord.Occurs(prompt, trigger);

    /// <summary><c>name: trigger, …</c> for the gated adapters; null when none is gated.</summary>
    static string? GatesText(IEnumerable<(string Name, string? Trigger)> adapters)
    {
        var gated = adapters.Where(a => a.Trigger is not null).Select(a => $"{a.Name.Replace(":", "").Replace(",", "")}: {a.Trigger}").ToList();
        return gated.Count == 0 ? null : string.Join(", ", gated);
    }

    static readonly string? ProgramVersion =
        typeof(GenerateCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
}
