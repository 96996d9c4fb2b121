using System.Globalization;
using System.Text.Json;
using DiffusionTune.Contracts;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Models.Runtime;
using DiffusionTune.Training.Checkpoints;
using DiffusionTune.Training.Data;
using DiffusionTune.Training.Logging;
using DiffusionTune.Training.Loop;
using DiffusionTune.Training.Plugins;

namespace DiffusionTune.Training.Engine;

/// <summary>What a finished (or stopped) run reports.</summary>
/// <param name="StepsDone">Optimizer steps completed (equal to the run's steps when it finished).</param>
/// <param name="Finished">False when it was stopped before the end (it can be resumed).</param>
/// <param name="Files">Every result file written.</param>
/// <param name="Model">The trained model, still loaded (the caller disposes it), for follow-up work such as samples.</param>
/// <param name="FinalFiles">The final result's files (empty when the run did not finish, or this call made no save).</param>
/// <param name="Captions">The distinct prompts of the training images: what the run taught.</param>
public sealed record TrainResult(int StepsDone, bool Finished, IReadOnlyList<SavedFile> Files, StableDiffusionModel Model,
    IReadOnlyList<SavedFile> FinalFiles, IReadOnlyList<string> Captions);

/// <summary>
/// Runs a <see cref="TrainJob"/> with a plugin trainer: takes the run folder's <see cref="RunLock"/> and removes what a
/// killed run of the job left half written (<see cref="RunLeftovers"/>), refuses a run folder that holds another run
/// (<see cref="RunPlacement"/>: place the job first to move it instead) and records the run's
/// <see cref="RunFingerprint"/>, loads the base model and the images, prepares
/// prior preservation and the latent cache, then drives the trainer's run with <see cref="TrainingLoop"/> (resuming
/// from the run folder's newest checkpoint).
/// </summary>
/// <param name="info">Shows an informational message to the user.</param>
/// <param name="warning">Shows a warning to the user.</param>
/// <param name="sampleWritten">Hears each sample grid as it is written: its path and the step it shows.</param>
public sealed class TrainingEngine(PluginCatalog plugins, Action<string> info, Action<string> warning, Action<string, int>? sampleWritten = null)
{
    /// <summary>Where generated class images are cached across runs.</summary>
    public static string ClassImageCache => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
        "diffusiontune", "class-images");

    /// <summary>Where a run keeps its latent cache.</summary>
    public static string LatentFolderOf(string runFolder) => Path.Combine(runFolder, "latents");

    public TrainResult Run(TrainJob job, TrainingLoop.ProgressCallback? progress, Action<string>? status, CancellationToken cancellation)
    {
        job.Engine.Validate();
        using var runLock = RunLock.Acquire(job.RunFolder);
        using var scalars = new TrainingLog(job.RunFolder);
        var log = new RunLog(scalars, Path.Combine(job.RunFolder, "log.txt"), info, warning);
        var leftovers = RunLeftovers.Remove(job);
        if (leftovers.Count > 0) log.Info($"removed {leftovers} left half written by an interrupted run");
        var trainer = plugins.Find(job.Trainer);
        var options = TrainerOptionParser.Parse(trainer.Info, job.TrainerOptions);
        var fingerprint = RunFingerprint.Of(job, trainer.Info, options);
        RunPlacement.Check(job.RunFolder, fingerprint);
        fingerprint.Write(job.RunFolder);
        if (new RunCheckpoints(job.RunFolder).Latest() is { } latest && latest.Step < job.Engine.Steps
            && FinalResult.SetAside(job, latest.Step) is { } setAside)
            log.Info($"the final result of step {latest.Step} is now {setAside}: the run goes on to step {job.Engine.Steps}");
        var concept = Concept(job);
        if (job.Prior != PriorPreservation.None && concept.ClassPrompt is null)
            throw new ArgumentException("prior preservation needs a class prompt (e.g. --instance-prompt \"a photo of sks star\" --class-prompt \"a photo of star\")");
        var images = TrainingImageSet.Load(job.Images, new ImageFolderOptions
        {
            CaptionTemplate = job.InstancePrompt,
            Repeats = job.Repeats,
            OnBadImage = job.OnBadImage,
        });
        foreach (var problem in images.Warnings) log.Warning(problem);

        var device = ComputeDevice.Resolve(job.Device);
        var dtype = Precision.Resolve(job.Precision, device, log.Warning);
        status?.Invoke($"loading {job.Model} on {device} ({Precision.NameOf(dtype)})");
        var model = StableDiffusionModel.Load(job.Model, new ModelLoadOptions { Device = device, Dtype = dtype });
        try
        {
            int resolution = job.Resolution ?? model.NativeImageSize;
            var classImages = ClassImages(job, concept, model, resolution, log, status, cancellation);
            var preprocessing = new ImagePreprocessing { Resolution = resolution, RandomFlip = job.RandomFlip, UseBuckets = job.AspectBuckets };
            preprocessing.Validate(model.VaeScaleFactor);
            var planner = new BatchPlanner(images, classImages, preprocessing, new BatchSettings
            {
                Seed = (long)(job.Engine.Seed & long.MaxValue),
                BatchSize = job.Engine.BatchSize,
                MicroBatchesPerStep = job.Engine.GradientAccumulation,
                CaptionDropout = job.CaptionDropout,
                PriorLossWeight = (float)job.PriorLossWeight,
            });
            status?.Invoke($"encoding {planner.AllVariants().Count} image variant(s) to latents");
            using var latents = LatentCache.Build(planner.AllVariants(), new VaeLatentEncoder(model.Vae), LatentFolderOf(job.RunFolder), cancellation: cancellation);
            foreach (var problem in latents.Warnings) log.Warning(problem);
            var batches = new TrainingBatchSource(planner, latents, device);

            var metadata = Metadata(job, trainer.Info, options, model, images, classImages, resolution, concept);
            var output = new RunOutput(job.RunFolder, job.OutputFolder, job.OutputName, job.ModelFormat);
            using var run = new TrainerRun(trainer.Trainer, options, model, job.Engine, batches, output, concept, log, metadata, scalars, sampleWritten);
            model.Unet.GradientCheckpointing = job.Engine.GradientCheckpointing;
            status?.Invoke($"training '{trainer.Info.Name}' for {job.Engine.Steps} steps ({batches.EpochsAfter(job.Engine.Steps):F1} epochs of {images.RepeatedCount} images)");
            int done = new TrainingLoop(job.RunFolder, job.Engine.SaveEvery, log: scalars).Run(run, progress, cancellation);
            bool finished = done >= job.Engine.Steps;
            return new TrainResult(done, finished, run.SavedFiles, model, finished ? run.LatestSave : [],
                [.. images.Images.Select(i => i.Caption).Distinct(StringComparer.Ordinal)]);
        }
        catch (Exception failure)
        {
            model.Dispose();
            // The user gets the one line; the plugin's stack trace, which its author needs, goes to the run's log.
            if (failure is TrainerPluginException) log.Record(failure.ToString());
            throw;
        }
    }

    /// <summary>
    /// The identifier is the one word of the instance prompt that the class prompt does not have. The class prompt may
    /// have no word of its own: trainers derive the class prompt from the instance prompt (the contract's
    /// <see cref="ConceptDescription.WithoutIdentifier"/>), so such a word would be silently left out of the class images.
    /// </summary>
    static ConceptDescription Concept(TrainJob job)
    {
        if (job.InstancePrompt is null || job.ClassPrompt is null) return new ConceptDescription(job.InstancePrompt, null, null);
        static string[] Words(string prompt) => prompt.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
        var classWords = Words(job.ClassPrompt).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var instanceWords = Words(job.InstancePrompt).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var extra = Words(job.InstancePrompt).Where(w => !classWords.Contains(w) && !w.Contains('[')).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (extra.Count != 1)
            throw new ArgumentException($"the class prompt must be the instance prompt without its identifier word; '{job.InstancePrompt}' vs '{job.ClassPrompt}' differ by {extra.Count} words ({string.Join(", ", extra)})");
        var classOnly = classWords.Where(w => !instanceWords.Contains(w)).ToList();
        if (classOnly.Count > 0)
            throw new ArgumentException($"the class prompt must be the instance prompt without its identifier word; '{job.ClassPrompt}' has words the instance prompt '{job.InstancePrompt}' lacks ({string.Join(", ", classOnly)}): put them in both");
        var classNoun = Words(job.ClassPrompt).LastOrDefault();
        return new ConceptDescription(job.InstancePrompt, extra[0], classNoun);
    }

    static TrainingImageSet? ClassImages(TrainJob job, ConceptDescription concept, StableDiffusionModel model, int resolution, ITrainingLog log,
        Action<string>? status, CancellationToken cancellation)
    {
        switch (job.Prior)
        {
            case PriorPreservation.Generated:
                status?.Invoke($"preparing {job.ClassImages} class images of '{concept.ClassPrompt}'");
                var generated = new ClassImageGenerator(model).Prepare(new ClassImageSettings
                {
                    ClassPrompt = concept.ClassPrompt!,
                    Count = job.ClassImages,
                    Resolution = resolution,
                    Seed = (long)(job.Engine.Seed & long.MaxValue),
                }, ClassImageCache, cancellation: cancellation);
                log.Info($"class images: {generated.Files.Count} in {generated.Folder} ({generated.Generated} generated now)");
                return generated.ToImageSet();
            case PriorPreservation.Images:
                var folder = job.ClassImagesFolder ?? throw new ArgumentException("prior preservation with images needs --class-images-folder");
                var set = TrainingImageSet.Load(folder, new ImageFolderOptions { CaptionTemplate = concept.ClassPrompt, OnBadImage = job.OnBadImage });
                foreach (var problem in set.Warnings) log.Warning(problem);
                return set;
            default:
                return null;
        }
    }

    /// <summary>The run's full configuration, written into every result file so any result can be reproduced from it.</summary>
    static Dictionary<string, string> Metadata(TrainJob job, TrainerInfo trainer, TrainerOptionValues options, StableDiffusionModel model,
        TrainingImageSet images, TrainingImageSet? classImages, int resolution, ConceptDescription concept)
    {
        string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
        var config = new
        {
            trainer = new { name = trainer.Name, version = trainer.Version.ToString(), options = options.All },
            engine = job.Engine,
            data = new
            {
                images = Path.GetFullPath(job.Images),
                image_count = images.Images.Count,
                repeats = job.Repeats,
                instance_prompt = job.InstancePrompt,
                class_prompt = job.ClassPrompt,
                resolution,
                random_flip = job.RandomFlip,
                aspect_buckets = job.AspectBuckets,
                caption_dropout = job.CaptionDropout,
                prior = job.Prior.ToString(),
                class_images = classImages?.Images.Count ?? 0,
                prior_loss_weight = job.PriorLossWeight,
            },
            base_model = new { name = model.Name, hash = model.ShortHash, path = model.SourcePath },
            precision = job.Precision,
        };
        var metadata = new Dictionary<string, string>
        {
            ["diffusiontune.config"] = JsonSerializer.Serialize(config, new JsonSerializerOptions { IncludeFields = true }),
            ["diffusiontune.trainer"] = $"{trainer.Name} {trainer.Version}",
            ["ss_sd_model_name"] = model.Name,
            ["ss_learning_rate"] = Text(job.Engine.LearningRate),
            ["ss_max_train_steps"] = job.Engine.Steps.ToString(CultureInfo.InvariantCulture),
            ["ss_seed"] = job.Engine.Seed.ToString(CultureInfo.InvariantCulture),
            ["ss_lr_scheduler"] = job.Engine.Schedule.ToString().ToLowerInvariant(),
            ["ss_lr_warmup_steps"] = job.Engine.WarmupSteps.ToString(CultureInfo.InvariantCulture),
            ["ss_batch_size_per_device"] = job.Engine.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["ss_gradient_accumulation_steps"] = job.Engine.GradientAccumulation.ToString(CultureInfo.InvariantCulture),
            ["ss_max_grad_norm"] = Text(job.Engine.MaxGradNorm),
            ["ss_num_train_images"] = images.RepeatedCount.ToString(CultureInfo.InvariantCulture),
            ["ss_num_reg_images"] = (classImages?.Images.Count ?? 0).ToString(CultureInfo.InvariantCulture),
            ["ss_resolution"] = $"({resolution}, {resolution})",
            ["ss_min_snr_gamma"] = Text(job.Engine.MinSnrGamma),
            ["ss_noise_offset"] = Text(job.Engine.NoiseOffset),
            ["ss_clip_skip"] = job.Engine.ClipSkip.ToString(CultureInfo.InvariantCulture),
            ["ss_prior_loss_weight"] = Text(job.PriorLossWeight),
            ["ss_mixed_precision"] = job.Precision,
            ["ss_flip_aug"] = job.RandomFlip ? "True" : "False",
            ["ss_enable_bucket"] = job.AspectBuckets ? "True" : "False",
            ["ss_caption_dropout_rate"] = Text(job.CaptionDropout),
        };
        // The identifier is what prompt-gated generation (--gated) triggers the result on.
        if (concept.Identifier is { } identifier) metadata[ModelMetadata.Trigger] = identifier;
        return metadata;
    }
}
