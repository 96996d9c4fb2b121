using System.CommandLine;
using System.Globalization;
using DiffusionTune.Cli.Commands.Generate;
using DiffusionTune.Training.Data;
using DiffusionTune.Training.Engine;
using DiffusionTune.Training.Optimization;

namespace DiffusionTune.Cli.Commands.Train;

/// <summary>The <c>train</c> verb: runs a trainer plugin on a folder of images.</summary>
public static class TrainCommandDefinition
{
    public static Command Create()
    {
        var defaults = new EngineSettings();
        var trainer = new Option<string>("--trainer", "-t") { Description = "The trainer plugin (see `plugins list`): dreambooth, lora, …", Required = true };
        var model = new Option<string?>("--model", "-m") { Description = "Base model: diffusers folder or single .safetensors (default: the embedded shapes-world model)" };
        var images = new Option<string>("--images", "-i") { Description = "Folder of training images (with same-named .txt captions unless --instance-prompt is given)", Required = true };
        var instancePrompt = new Option<string?>("--instance-prompt") { Description = "Prompt of every training image, e.g. \"a photo of sks star\" ([filewords] inserts each image's caption)" };
        var classPrompt = new Option<string?>("--class-prompt") { Description = "The instance prompt without its identifier, e.g. \"a photo of star\" (for prior preservation and class-token regularisation)" };
        var trainerOptions = new Option<string[]>("--option", "-O") { Description = "A trainer option as name=value (repeatable; see `plugins list`)", DefaultValueFactory = _ => [], AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "-o") { Description = "Folder for the results", DefaultValueFactory = _ => Path.Combine("outputs", "train") };
        var name = new Option<string?>("--name") { Description = "Stem of the result files (default: the trainer name)" };
        var run = new Option<string?>("--run") { Description = "Run folder for checkpoints, logs, samples and the latent cache (default: <output>/<name>-run); an existing run is resumed" };
        var modelFormat = new Option<string>("--model-format") { Description = "How full checkpoints are saved: diffusers (folder) or safetensors (one file)", DefaultValueFactory = _ => "diffusers" };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps", DefaultValueFactory = _ => defaults.Steps };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per micro-batch (doubled with prior preservation: one class image per instance image)", DefaultValueFactory = _ => defaults.BatchSize };
        var accumulation = new Option<int>("--gradient-accumulation") { Description = "Micro-batches per optimizer step", DefaultValueFactory = _ => defaults.GradientAccumulation };
        var learningRate = new Option<double>("--learning-rate", "--lr") { Description = "Peak learning rate", DefaultValueFactory = _ => defaults.LearningRate };
        var schedule = new Option<string>("--lr-schedule") { Description = "constant, linear or cosine (after warm-up)", DefaultValueFactory = _ => "constant" };
        var warmup = new Option<int>("--warmup-steps") { Description = "Linear warm-up steps", DefaultValueFactory = _ => defaults.WarmupSteps };
        var maxGradNorm = new Option<double>("--max-grad-norm") { Description = "Gradient-norm clipping", DefaultValueFactory = _ => defaults.MaxGradNorm };
        var seed = new Option<ulong>("--seed") { Description = "Seed of initialisation, data order and noise", DefaultValueFactory = _ => defaults.Seed };
        var ema = new Option<double>("--ema-decay") { Description = "EMA of the trained weights (e.g. 0.999; results then hold the average); 0 = off", DefaultValueFactory = _ => 0.0 };
        var noiseOffset = new Option<double>("--noise-offset") { Description = "Noise offset (e.g. 0.05); 0 = off", DefaultValueFactory = _ => 0.0 };
        var minSnr = new Option<double>("--min-snr-gamma") { Description = "Min-SNR-γ loss weighting (e.g. 5); 0 = off", DefaultValueFactory = _ => 0.0 };
        var clipSkip = new Option<int>("--clip-skip") { Description = "Text-encoder layer to condition on: 1 = last, 2 = penultimate", DefaultValueFactory = _ => 1 };
        var checkpointing = new Option<bool>("--gradient-checkpointing") { Description = "Recompute UNet activations in the backward pass (less memory, ~30% slower)" };
        var freeze = new Option<string[]>("--freeze") { Description = "Module-name prefix never to train, e.g. up_blocks.3 (repeatable)", DefaultValueFactory = _ => [], AllowMultipleArgumentsPerToken = true };
        var blockLr = new Option<string[]>("--block-lr") { Description = "Learning-rate multiplier by module prefix, e.g. down_blocks=0.5 (repeatable; first match wins)", DefaultValueFactory = _ => [], AllowMultipleArgumentsPerToken = true };
        var saveEvery = new Option<int>("--save-every") { Description = "Steps between intermediate results and resumable checkpoints", DefaultValueFactory = _ => defaults.SaveEvery };
        var sampleEvery = new Option<int>("--sample-every") { Description = "Steps between sample grids (fixed seeds); 0 = only at the end", DefaultValueFactory = _ => 0 };
        var samplePrompts = new Option<string[]>("--sample-prompt") { Description = "Prompt for the sample grids (repeatable; default: the instance prompt)", DefaultValueFactory = _ => [], AllowMultipleArgumentsPerToken = true };
        var resolution = new Option<int?>("--resolution") { Description = "Training resolution (default: the model's native size)" };
        var repeats = new Option<int>("--repeats") { Description = "Times each image counts per epoch", DefaultValueFactory = _ => 1 };
        var flip = new Option<bool>("--flip") { Description = "Random horizontal flips" };
        var buckets = new Option<bool>("--buckets") { Description = "Aspect-ratio buckets instead of centre crops" };
        var onBadImage = new Option<string>("--on-bad-image") { Description = "refuse (stop with the file's name) or skip (warn and go on)", DefaultValueFactory = _ => "refuse" };
        var captionDropout = new Option<double>("--caption-dropout") { Description = "Share of instance captions replaced by \"\" (helps classifier-free guidance)", DefaultValueFactory = _ => 0.0 };
        var prior = new Option<string>("--prior") { Description = "Prior preservation: none, generated (class images made by the base model) or images (--class-images-folder)", DefaultValueFactory = _ => "none" };
        var classImages = new Option<int>("--class-images") { Description = "Number of generated class images", DefaultValueFactory = _ => 100 };
        var classFolder = new Option<string?>("--class-images-folder") { Description = "Folder of regularisation images for --prior images" };
        var priorWeight = new Option<double>("--prior-loss-weight") { Description = "Weight of the class images' loss", DefaultValueFactory = _ => 1.0 };
        var folders = PluginRoots.Option();
        var device = CommonOptions.Device();
        var precision = CommonOptions.Precision("fp32");

        var command = new Command("train", "Fine-tune a model with a trainer plugin (stop with Ctrl+C: it saves; run the same command again to resume)")
        {
            trainer, model, images, instancePrompt, classPrompt, trainerOptions, output, name, run, modelFormat,
            steps, batchSize, accumulation, learningRate, schedule, warmup, maxGradNorm, seed, ema, noiseOffset, minSnr, clipSkip,
            checkpointing, freeze, blockLr, saveEvery, sampleEvery, samplePrompts, resolution, repeats, flip, buckets, onBadImage,
            captionDropout, prior, classImages, classFolder, priorWeight, folders, device, precision,
        };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(token =>
        {
            var trainerName = result.GetValue(trainer)!;
            var outputFolder = Path.GetFullPath(result.GetValue(output)!);
            var stem = result.GetValue(name) ?? trainerName;
            var job = new TrainJob
            {
                Trainer = trainerName,
                TrainerOptions = KeyValues(result.GetValue(trainerOptions)!, "--option"),
                Model = EmbeddedModel.Resolve(result.GetValue(model)),
                Images = result.GetValue(images)!,
                InstancePrompt = result.GetValue(instancePrompt),
                ClassPrompt = result.GetValue(classPrompt),
                Engine = new EngineSettings
                {
                    Steps = result.GetValue(steps),
                    BatchSize = result.GetValue(batchSize),
                    GradientAccumulation = result.GetValue(accumulation),
                    LearningRate = result.GetValue(learningRate),
                    Schedule = LearningRateSchedule.ParseShape(result.GetValue(schedule)!),
                    WarmupSteps = result.GetValue(warmup),
                    MaxGradNorm = result.GetValue(maxGradNorm),
                    Seed = result.GetValue(seed),
                    EmaDecay = result.GetValue(ema),
                    NoiseOffset = result.GetValue(noiseOffset),
                    MinSnrGamma = result.GetValue(minSnr),
                    ClipSkip = result.GetValue(clipSkip),
                    GradientCheckpointing = result.GetValue(checkpointing),
                    Freeze = result.GetValue(freeze)!,
                    BlockLearningRates = KeyValues(result.GetValue(blockLr)!, "--block-lr")
                        .Select(kv => (kv.Key, ParseNumber(kv.Value, "--block-lr"))).ToList(),
                    SaveEvery = result.GetValue(saveEvery),
                    SampleEvery = result.GetValue(sampleEvery),
                    SamplePrompts = result.GetValue(samplePrompts)!,
                },
                Resolution = result.GetValue(resolution),
                Repeats = result.GetValue(repeats),
                RandomFlip = result.GetValue(flip),
                AspectBuckets = result.GetValue(buckets),
                OnBadImage = result.GetValue(onBadImage)!.ToLowerInvariant() switch
                {
                    "refuse" => BadImageHandling.Refuse,
                    "skip" => BadImageHandling.Skip,
                    var other => throw new ArgumentException($"--on-bad-image must be refuse or skip, not '{other}'"),
                },
                CaptionDropout = result.GetValue(captionDropout),
                Prior = result.GetValue(prior)!.ToLowerInvariant() switch
                {
                    "none" => PriorPreservation.None,
                    "generated" => PriorPreservation.Generated,
                    "images" => PriorPreservation.Images,
                    var other => throw new ArgumentException($"--prior must be none, generated or images, not '{other}'"),
                },
                ClassImages = result.GetValue(classImages),
                ClassImagesFolder = result.GetValue(classFolder),
                PriorLossWeight = result.GetValue(priorWeight),
                OutputFolder = outputFolder,
                OutputName = stem,
                ModelFormat = result.GetValue(modelFormat)!.ToLowerInvariant() switch
                {
                    "diffusers" => ModelOutputFormat.Diffusers,
                    "safetensors" => ModelOutputFormat.SingleFile,
                    var other => throw new ArgumentException($"--model-format must be diffusers or safetensors, not '{other}'"),
                },
                RunFolder = Path.GetFullPath(result.GetValue(run) ?? Path.Combine(outputFolder, $"{stem}-run")),
                Device = result.GetValue(device)!,
                Precision = result.GetValue(precision)!,
            };
            return Task.FromResult(TrainCommand.Run(job, result.GetValue(folders)!, token));
        }, cancellation));
        return command;
    }

    static Dictionary<string, string> KeyValues(string[] items, string option)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items)
        {
            int equals = item.IndexOf('=');
            if (equals <= 0) throw new ArgumentException($"{option} takes name=value, not '{item}'");
            values[item[..equals].Trim()] = item[(equals + 1)..].Trim();
        }
        return values;
    }

    static double ParseNumber(string text, string option) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"{option}: '{text}' is not a number");
}
