using System.Reflection;
using System.Text.Json;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.IO;
using DiffusionTune.IO.Images;
using DiffusionTune.Models.Adapters;
using DiffusionTune.Models.Runtime;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Reporting;
using static TorchSharp.torch;

namespace DiffusionTune.Workflows.Generation;

/// <summary>
/// Loads a model and generates every requested image, writing PNGs with metadata plus a JSON manifest of the run.
/// Prompts' A1111 tags (<c>&lt;lora:NAME:0.8&gt;</c>, <c>&lt;hypernet:NAME&gt;</c>) are taken out of the encoded text and
/// applied to their prompts only: prompts naming the same networks are generated together, the networks merged in for
/// them and taken out after. Images the output folder already holds with identical settings are not made again.
/// </summary>
public static class GenerationJob
{
    /// <summary>Runs <paramref name="settings"/>: every image it asks for that the output folder does not already hold.</summary>
    public static void Run(GenerateSettings settings, IWorkflowReporter reporter, CancellationToken cancellation)
    {
        var jobs = Jobs(settings);
        if (settings.BatchCount < 1) throw new ArgumentException("--batch-count must be at least 1");
        var lineSeeds = SeedPlan.From(settings.Seed, settings.Seeds, settings.SeedRange, settings.BatchCount).Seeds(jobs, settings.BatchSize, settings.BatchCount);
        var networks = PromptNetworks.Resolve(jobs, NetworkFolders.From(settings.LoraFolders), reporter);
        using var adapted = AdaptedModel.Apply(settings.Sampling.LoadModel(settings.Model, reporter), settings.Adapters, reporter);
        var (model, applied, embeddings) = (adapted.Model, adapted.Loras, adapted.Embeddings);
        var pipeline = new TextToImagePipeline(model);
        var output = new ImageOutputFolder(settings.Output);
        var planned = jobs.SelectMany((job, line) => lineSeeds[line].Select(seed => new PlannedImage(job, networks[line],
            settings.Sampling.Request(job with { Prompt = networks[line].Text }, seed, batchSize: 1, model), job.BatchSize ?? settings.BatchSize))).ToList();
        foreach (var image in planned) image.Request.Validate(model);

        var made = ExistingImages(output.Folder);
        var written = new List<object>();
        var tally = new BatchTally(planned.Count);
        // Rewritten after every batch, so a long run's manifest shows its progress and a stopped run's what it made.
        var manifest = output.NewManifestPath();
        void WriteManifest(bool finished) => AtomicFile.WriteAllText(manifest, JsonSerializer.Serialize(new
        {
            model = model.SourcePath,
            model_hash = model.ShortHash,
            device = model.Device.ToString(),
            precision = Precision.NameOf(model.Dtype),
            loras = applied.Select(l => new { name = l.Name, file = l.Path, hash = l.ShortHash, strength = l.Strength, gated = l.Trigger is not null, trigger = l.Trigger }),
            embeddings = embeddings.Select(e => new { name = e.Name, file = e.FilePath, hash = e.ShortHash, vectors = e.VectorCount, format = e.Format }),
            hypernetworks = adapted.Hypernetworks.Select(h => new { name = h.Name, file = h.Path, hash = h.ShortHash, strength = h.Strength, gated = h.Trigger is not null, trigger = h.Trigger }),
            adapters = adapted.PluginAdapters.Select(a => new { file = a.Path, format = a.Format, strength = a.Strength }),
            progress = tally.Figures(finished),
            images = written,
        }, new JsonSerializerOptions { WriteIndented = true }));

        // Prompts naming the same networks share one merge of them, undone before the next set.
        foreach (var group in planned.GroupBy(image => image.Networks.Key))
        {
            var networkSet = group.First().Networks;
            using var adapters = AppliedAdapters.Apply(model, networkSet.Loras, networkSet.Hypernetworks, reporter);
            var missing = new List<(PlannedImage Image, GenerationParameters Wanted)>();
            foreach (var image in group)
            {
                var loras = adapters.Loras.Select((lora, i) => lora with { Name = image.Networks.LoraNames[i] }).ToList();
                var parameters = Parameters(image.Request, image.Request.Seed, model, [.. applied, .. loras], embeddings, [.. adapted.Hypernetworks, .. adapters.Hypernetworks]);
                var wanted = parameters with { Prompt = image.Job.Prompt, Extra = [.. parameters.Extra, .. PluginAdapterApplication.ParametersEntries(adapted.PluginAdapters)] };
                if (made.Any(m => RecordedImage.Matches(m, wanted))) tally.AddSkipped(1);
                else missing.Add((image, wanted));
            }
            // Images of the same size and sampling settings share a batch, whichever prompt line they come from.
            var batches = missing.GroupBy(m => m.Image.Request with { Prompt = "", Seed = 0 }).SelectMany(same => same.Chunk(same.First().Image.BatchSize));
            foreach (var batch in batches)
            {
                var request = batch[0].Image.Request with
                {
                    BatchSize = batch.Length,
                    RowSeeds = [.. batch.Select(m => m.Image.Request.Seed)],
                    RowPrompts = [.. batch.Select(m => m.Image.Request.Prompt)],
                };
                var task = reporter.Start($"[{tally.Planned - tally.Left + batch.Length}/{tally.Planned}] seed {string.Join(", ", request.Seeds)}", request.Steps);
                using var scope = NewDisposeScope();
                var bitmaps = ImageTensors.ToBitmaps(pipeline.Generate(request, (done, _) => task.Advance(done), cancellation));
                var paths = new List<string>();
                for (int i = 0; i < bitmaps.Length; i++)
                {
                    using var bitmap = bitmaps[i];
                    var (image, wanted) = batch[i];
                    var path = output.Save(bitmap, wanted);
                    made.Add(wanted);
                    paths.Add(path);
                    written.Add(new { file = Path.GetFileName(path), parameters = wanted.ToParametersText(), prompt = image.Job.Prompt, seed = wanted.Seed });
                }
                tally.AddMade(paths.Count);
                task.Finish($"→ {string.Join(", ", paths.Select(Path.GetFileName))}");
                foreach (var path in paths) reporter.ImageReady(path, Path.GetFileNameWithoutExtension(path));
                reporter.Message(tally.Line());
                WriteManifest(finished: false);
            }
        }

        WriteManifest(finished: true);
        var skipped = tally.Skipped > 0 ? $", skipped {tally.Skipped} already there" : "";
        var rate = tally.Made > 0 ? $", {tally.ImagesPerSecond:F2} images/s" : "";
        reporter.Message($"Wrote {written.Count} image(s) to {output.Folder}{skipped}{rate} (manifest {Path.GetFileName(manifest)})");
    }

    /// <summary>One image to make: its prompt line, the networks its tags name, its one-image request (the line's prompt without tags) and the line's batch size.</summary>
    sealed record PlannedImage(PromptJob Job, PromptNetworks Networks, GenerationRequest Request, int BatchSize);

    /// <summary>The parameters of every image <paramref name="folder"/> already holds (those a run would otherwise make again).</summary>
    static List<GenerationParameters> ExistingImages(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*.png").Select(RecordedImage.Parameters).OfType<GenerationParameters>()];

    static IReadOnlyList<PromptJob> Jobs(GenerateSettings settings)
    {
        if (settings.Prompt is not null && settings.PromptsFile is not null)
            throw new ArgumentException("give either --prompt or --prompts, not both");
        if (settings.PromptsFile is not null) return PromptFile.Read(settings.PromptsFile);
        if (settings.Prompt is not null) return [new PromptJob(settings.Prompt)];
        throw new ArgumentException("nothing to generate: give --prompt TEXT or --prompts FILE");
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
        typeof(GenerationJob).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
}
