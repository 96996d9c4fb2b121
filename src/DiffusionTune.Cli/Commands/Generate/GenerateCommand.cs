using System.Reflection;
using System.Text.Json;
using DiffusionTune.Cli.Rendering;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.IO;
using DiffusionTune.IO.Images;
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
        var loras = settings.Loras.Select(LoraArgument.Parse).ToList();
        if (settings.BatchCount < 1) throw new ArgumentException("--batch-count must be at least 1");
        using var model = ModelLoading.Load(settings.Model, settings.Device, settings.Precision, settings.Tokenizer, settings.PredictionType);
        var applied = LoraMerging.MergeInto(model, loras);
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
                    var parameters = Parameters(request, request.Seeds[i], model, applied);
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
            loras = applied.Select(l => new { name = l.Name, file = l.Path, hash = l.ShortHash, strength = l.Strength }),
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
        return new GenerationRequest
        {
            Prompt = job.Prompt,
            NegativePrompt = job.NegativePrompt ?? settings.NegativePrompt,
            Steps = job.Steps ?? settings.Steps,
            GuidanceScale = job.Cfg ?? settings.Cfg,
            Sampler = ParseSampler(job.Sampler ?? settings.Sampler),
            Seed = baseSeed + (long)batchIndex * batchSize,
            Width = job.Width ?? settings.Width ?? model.NativeImageSize,
            Height = job.Height ?? settings.Height ?? model.NativeImageSize,
            BatchSize = batchSize,
            ClipSkip = settings.ClipSkip,
        };
    }

    /// <summary>The sampler <paramref name="text"/> names (our names or A1111's), or an <see cref="ArgumentException"/> saying why not.</summary>
    public static SamplerChoice ParseSampler(string text)
    {
        try
        {
            return SamplerChoice.Parse(text);
        }
        catch (FormatException e)
        {
            throw new ArgumentException(e.Message);
        }
    }

    /// <summary>The metadata of one generated image: its request's settings, the LoRAs merged in, and the program version.</summary>
    public static GenerationParameters Parameters(GenerationRequest request, long seed, StableDiffusionModel model, IReadOnlyList<AppliedLora> loras) =>
        request.ParametersFor(seed, model) with
        {
            Extra = loras.Count == 0 ? [] : [new("Lora hashes", LoraMerging.HashesText(loras)), new("Lora strengths", LoraMerging.StrengthsText(loras))],
            Version = ProgramVersion is { } version ? $"DiffusionTune {version.Split('+')[0]}" : "DiffusionTune",
        };

    static readonly string? ProgramVersion =
        typeof(GenerateCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
}
