using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DiffusionTune.Contracts;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;

namespace DiffusionTune.Training.Engine;

/// <summary>
/// What a run learns from, as named text values: the training images' content, the trainer with its options, the
/// settings that change what is learned and the base model's identity. Stored in the run folder (<c>run.json</c>), so
/// that a run folder is only resumed by the run it belongs to. Left out on purpose: the number of steps (a finished run
/// can be extended), and what only changes how or where a run computes, saves or samples (device, precision, save and
/// sample settings, gradient checkpointing, output format).
/// </summary>
public sealed class RunFingerprint
{
    public const string FileName = "run.json";

    RunFingerprint(IReadOnlyDictionary<string, string> values) => Values = values;

    /// <summary>Each setting's value as text, by setting name.</summary>
    public IReadOnlyDictionary<string, string> Values { get; }

    /// <summary>The fingerprint of <paramref name="job"/> trained by <paramref name="trainer"/> with <paramref name="options"/> (defaults filled in).</summary>
    public static RunFingerprint Of(TrainJob job, TrainerInfo trainer, TrainerOptionValues options)
    {
        string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        var engine = job.Engine;
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["trainer"] = $"{trainer.Name} {trainer.Version}",
            ["images"] = ContentOf(job.Images),
            ["base_model"] = ModelIdentity(job.Model),
            ["instance_prompt"] = job.InstancePrompt ?? "(each image's caption)",
            ["class_prompt"] = job.ClassPrompt ?? "(none)",
            ["resolution"] = job.Resolution?.ToString(CultureInfo.InvariantCulture) ?? "(the model's own)",
            ["repeats"] = job.Repeats.ToString(CultureInfo.InvariantCulture),
            ["flip"] = job.RandomFlip ? "true" : "false",
            ["buckets"] = job.AspectBuckets ? "true" : "false",
            ["on_bad_image"] = job.OnBadImage.ToString().ToLowerInvariant(),
            ["caption_dropout"] = Number(job.CaptionDropout),
            ["prior"] = job.Prior.ToString().ToLowerInvariant(),
            ["batch_size"] = engine.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["gradient_accumulation"] = engine.GradientAccumulation.ToString(CultureInfo.InvariantCulture),
            ["learning_rate"] = Number(engine.LearningRate),
            ["lr_schedule"] = engine.Schedule.ToString().ToLowerInvariant(),
            ["warmup_steps"] = engine.WarmupSteps.ToString(CultureInfo.InvariantCulture),
            ["max_grad_norm"] = Number(engine.MaxGradNorm),
            ["weight_decay"] = Number(engine.WeightDecay),
            ["seed"] = engine.Seed.ToString(CultureInfo.InvariantCulture),
            ["ema_decay"] = Number(engine.EmaDecay),
            ["noise_offset"] = Number(engine.NoiseOffset),
            ["min_snr_gamma"] = Number(engine.MinSnrGamma),
            ["clip_skip"] = engine.ClipSkip.ToString(CultureInfo.InvariantCulture),
            ["optimizer_moments"] = engine.OptimizerMoments.ToString().ToLowerInvariant(),
            ["freeze"] = string.Join(", ", engine.Freeze),
            ["block_lr"] = string.Join(", ", engine.BlockLearningRates.Select(b => $"{b.Prefix}={Number(b.Multiplier)}")),
        };
        if (job.Prior != PriorPreservation.None)
        {
            values["prior_loss_weight"] = Number(job.PriorLossWeight);
            values["class_images"] = job.Prior == PriorPreservation.Images
                ? ContentOf(job.ClassImagesFolder ?? "")
                : job.ClassImages.ToString(CultureInfo.InvariantCulture);
        }
        foreach (var (name, value) in options.All)
            values[$"option {name}"] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "(none)";
        return new RunFingerprint(values);
    }

    /// <summary>The fingerprint stored in <paramref name="runFolder"/>, or null when it has none.</summary>
    /// <exception cref="InvalidDataException">The file is not a fingerprint.</exception>
    public static RunFingerprint? Read(string runFolder)
    {
        var path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            var values = JsonSerializer.Deserialize<Dictionary<string, string>>(FileAccessException.Guard(path, "read", () => File.ReadAllText(path)))
                ?? throw new JsonException("null instead of an object");
            return new RunFingerprint(values);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a run fingerprint ({e.Message}); move it away to start the run afresh");
        }
    }

    /// <summary>Stores the fingerprint in <paramref name="runFolder"/> (atomically).</summary>
    public void Write(string runFolder) =>
        AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), JsonSerializer.Serialize(Values, new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>The settings that differ from <paramref name="stored"/>, spelled out (<c>learning_rate 0.0001 → 0.0002</c>); empty when they match.</summary>
    public IReadOnlyList<string> DifferencesFrom(RunFingerprint stored) =>
        [.. stored.Values.Keys.Union(Values.Keys).Order(StringComparer.Ordinal)
            .Where(name => stored.Values.GetValueOrDefault(name) != Values.GetValueOrDefault(name))
            .Select(name => $"{name} {stored.Values.GetValueOrDefault(name) ?? "(not set)"} → {Values.GetValueOrDefault(name) ?? "(not set)"}")];

    /// <summary>The base model: its short hash (of the UNet weights, cached by path, size and time).</summary>
    static string ModelIdentity(string model)
    {
        try
        {
            return StableDiffusionModel.ShortHashOf(Path.GetFullPath(model));
        }
        catch (IOException)
        {
            // Not a model (loading it will say why): its path stands for it.
            return Path.GetFullPath(model);
        }
    }

    /// <summary>
    /// The visible files of an image folder and of its visible subfolders (what the image loader reads, captions
    /// included): their count and a SHA-256 of names and contents.
    /// </summary>
    static string ContentOf(string folder)
    {
        if (!Directory.Exists(folder)) return "(missing)";
        static bool Visible(string path) => !Path.GetFileName(path).StartsWith('.');
        var root = Path.GetFullPath(folder);
        var files = Directory.EnumerateFiles(root).Where(Visible)
            .Concat(Directory.EnumerateDirectories(root).Where(Visible).SelectMany(sub => Directory.EnumerateFiles(sub).Where(Visible)))
            .Select(path => (Name: Path.GetRelativePath(root, path).Replace('\\', '/'), Path: path))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, path) in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(name + "\n"));
            using var stream = FileAccessException.Guard(path, "read", () => File.OpenRead(path));
            hash.AppendData(SHA256.HashData(stream));
        }
        return $"{files.Count} files, sha256 {Convert.ToHexStringLower(hash.GetHashAndReset())[..12]}";
    }
}
