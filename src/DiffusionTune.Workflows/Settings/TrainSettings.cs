using System.Globalization;
using DiffusionTune.Training.Engine;
using DiffusionTune.Workflows.Damage;

namespace DiffusionTune.Workflows.Settings;

/// <summary>
/// Every setting of the <c>train</c> command, once: the command line gets <c>--kebab-case</c> options from this table
/// and presets get the same names in <c>snake_case</c> (<c>--learning-rate</c> ↔ <c>learning_rate:</c>). The one
/// exception is <c>--option</c>, whose entries live under <c>options:</c> in a preset. Defaults come from
/// <see cref="EngineSettings"/> and <see cref="TrainJob"/> where those have them.
/// </summary>
public static class TrainSettings
{
    static readonly EngineSettings Engine = new();

    public static readonly ScalarSetting<string?> Trainer = new("trainer", "The trainer plugin (see `plugins list`): dreambooth, lora, …", null, aliases: ["-t"]);
    public static readonly ScalarSetting<string?> Model = new("model", "Base model: diffusers folder or single .safetensors (default: the embedded shapes-world model)", null, aliases: ["-m"]);
    public static readonly ScalarSetting<string?> Images = new("images", "Folder of training images (with same-named .txt captions unless --instance-prompt is given)", null, aliases: ["-i"]);
    public static readonly ScalarSetting<string?> InstancePrompt = new("instance-prompt", "Prompt of every training image, e.g. \"a photo of sks star\" ([filewords] inserts each image's caption)", null);
    public static readonly ScalarSetting<string?> ClassPrompt = new("class-prompt", "The instance prompt without its identifier, e.g. \"a photo of star\" (for prior preservation and class-token regularisation)", null);
    public static readonly NamedValuesSetting TrainerOptions = new("option", "A trainer option as name=value (repeatable; see `plugins list`); added to a preset's options", aliases: ["-O"], presetKey: "options", merges: true);
    public static readonly ScalarSetting<string> Output = new("output", "Folder for the results (default: outputs/PRESET with a preset, else outputs/train); when its run folder holds a run with other settings, OUTPUT-2, OUTPUT-3, …", Path.Combine("outputs", "train"), aliases: ["-o"]);
    public static readonly ScalarSetting<string?> Name = new("name", "Stem of the result files (default: the trainer name)", null);
    public static readonly ScalarSetting<string?> Run = new("run", "Run folder for checkpoints, logs, samples and the latent cache (default: <output>/<name>-run); resumed when it holds a run with the same images, trainer, options and model, refused otherwise", null);
    public static readonly ScalarSetting<string> ModelFormat = Choice("model-format", "How full checkpoints are saved: diffusers (folder) or safetensors (one file)", "diffusers", "diffusers", "safetensors");

    public static readonly ScalarSetting<int> Steps = new("steps", "Optimizer steps", Engine.Steps, AtLeast(1));
    public static readonly ScalarSetting<int> BatchSize = new("batch-size", "Images per micro-batch (doubled with prior preservation: one class image per instance image)", Engine.BatchSize, AtLeast(1));
    public static readonly ScalarSetting<int> GradientAccumulation = new("gradient-accumulation", "Micro-batches per optimizer step", Engine.GradientAccumulation, AtLeast(1));
    public static readonly ScalarSetting<double> LearningRate = new("learning-rate", "Peak learning rate", Engine.LearningRate,
        value => value is > 0 and < 1 ? null : $"must be between 0 and 1 (exclusive), not {Text(value)}", aliases: ["--lr"]);
    public static readonly ScalarSetting<string> LearningRateSchedule = Choice("lr-schedule", "Learning-rate shape after warm-up", "constant", "constant", "linear", "cosine");
    public static readonly ScalarSetting<int> WarmupSteps = new("warmup-steps", "Linear warm-up steps", Engine.WarmupSteps, AtLeast(0));
    public static readonly ScalarSetting<double> MaxGradNorm = new("max-grad-norm", "Gradient-norm clipping", Engine.MaxGradNorm, value => value > 0 ? null : $"must be positive, not {Text(value)}");
    public static readonly ScalarSetting<double> WeightDecay = new("weight-decay", "AdamW weight decay", Engine.WeightDecay, Between(0, 1));
    public static readonly ScalarSetting<ulong> Seed = new("seed", "Seed of initialisation, data order and noise", Engine.Seed);
    public static readonly ScalarSetting<double> EmaDecay = new("ema-decay", "EMA of the trained weights (e.g. 0.999; results then hold the average); 0 = off", Engine.EmaDecay,
        value => value == 0 || value is > 0 and < 1 ? null : $"must be 0 (off) or between 0 and 1, not {Text(value)}");
    public static readonly ScalarSetting<double> NoiseOffset = new("noise-offset", "Noise offset (e.g. 0.05); 0 = off", Engine.NoiseOffset, Between(0, 1));
    public static readonly ScalarSetting<double> MinSnrGamma = new("min-snr-gamma", "Min-SNR-γ loss weighting (e.g. 5); 0 = off", Engine.MinSnrGamma, Between(0, 1000));
    public static readonly ScalarSetting<int> ClipSkip = new("clip-skip", "Text-encoder layer to condition on: 1 = last, 2 = penultimate", Engine.ClipSkip, AtLeast(1));
    public static readonly ScalarSetting<bool> GradientCheckpointing = new("gradient-checkpointing", "Recompute UNet activations in the backward pass (less memory, ~30% slower)", Engine.GradientCheckpointing);
    public static readonly ScalarSetting<string> OptimizerMoments = Choice("optimizer-moments",
        "How AdamW stores its moments: fp32, or bf16 (rounded stochastically; 4 bytes less per trained parameter, which counts in full fine-tunes)", "fp32", "fp32", "bf16");
    public static readonly ListSetting Freeze = new("freeze", "Module-name prefix never to train, e.g. up_blocks.3 (repeatable)");
    public static readonly NamedValuesSetting BlockLearningRates = new("block-lr", "Learning-rate multiplier by module prefix, e.g. down_blocks=0.5 (repeatable; first match wins)");
    public static readonly ScalarSetting<int> SaveEvery = new("save-every", "Steps between intermediate results and resumable checkpoints", Engine.SaveEvery, AtLeast(1));
    public static readonly ScalarSetting<int> SampleEvery = new("sample-every", "Steps between sample grids (fixed seeds); 0 = only at the end", Engine.SampleEvery, AtLeast(0));
    public static readonly ListSetting SamplePrompts = new("sample-prompt", "Prompt for the sample grids (repeatable; default: the instance prompt)", SettingLimits.SamplePrompts);
    public static readonly ScalarSetting<int> SampleSteps = new("sample-steps", "Sampling steps of the sample grids", Engine.SampleSteps, AtLeast(1));
    public static readonly ScalarSetting<double> SampleCfg = new("sample-cfg", "Guidance scale of the sample grids", Engine.SampleGuidance, Between(1, 30));
    public static readonly ScalarSetting<string> DamageReport = Choice("damage-report",
        "After training: drift (how far the result moved the base model's predictions, on the training captions and on general prompts; seconds on the embedded model), evaluate (also the shapes-world evaluator's image comparison; minutes) or off",
        "drift", "drift", "evaluate", "off");
    public static readonly ScalarSetting<int?> Resolution = new("resolution", "Training resolution (default: the model's native size)", null,
        value => value is null or >= 8 ? null : $"must be at least 8, not {value}");
    public static readonly ScalarSetting<int> Repeats = new("repeats", "Times each image counts per epoch", 1, AtLeast(1));
    public static readonly ScalarSetting<bool> Flip = new("flip", "Random horizontal flips", false);
    public static readonly ScalarSetting<bool> Buckets = new("buckets", "Aspect-ratio buckets instead of centre crops", false);
    public static readonly ScalarSetting<string> OnBadImage = Choice("on-bad-image", "refuse (stop with the file's name) or skip (warn and go on)", "refuse", "refuse", "skip");
    public static readonly ScalarSetting<double> CaptionDropout = new("caption-dropout", "Share of instance captions replaced by \"\" (helps classifier-free guidance)", 0.0, Between(0, 1));
    public static readonly ScalarSetting<string> Prior = Choice("prior", "Prior preservation: none, generated (class images made by the base model) or images (--class-images-folder)", "none", "none", "generated", "images");
    public static readonly ScalarSetting<int> ClassImages = new("class-images", "Number of generated class images", 100, AtLeast(1));
    public static readonly ScalarSetting<string?> ClassImagesFolder = new("class-images-folder", "Folder of regularisation images for --prior images", null);
    public static readonly ScalarSetting<double> PriorLossWeight = new("prior-loss-weight", "Weight of the class images' loss", 1.0, Between(0, 100));
    public static readonly ScalarSetting<string> Device = new("device", "Where to compute: auto (CUDA when available), cpu, cuda or cuda:N", "auto");
    public static readonly ScalarSetting<string> Precision = Choice("precision", "Compute dtype: fp32, bf16, or fp16 (with loss scaling when training; meant for CUDA, slow on the CPU)", "fp32", "fp32", "bf16", "fp16");

    /// <summary>Every setting, in the order <c>--help</c> lists them.</summary>
    public static IReadOnlyList<TrainSetting> All { get; } =
    [
        Trainer, Model, Images, InstancePrompt, ClassPrompt, TrainerOptions, Output, Name, Run, ModelFormat,
        Steps, BatchSize, GradientAccumulation, LearningRate, LearningRateSchedule, WarmupSteps, MaxGradNorm, WeightDecay, Seed,
        EmaDecay, NoiseOffset, MinSnrGamma, ClipSkip, GradientCheckpointing, OptimizerMoments, Freeze, BlockLearningRates, SaveEvery, SampleEvery,
        SamplePrompts, SampleSteps, SampleCfg, DamageReport, Resolution, Repeats, Flip, Buckets, OnBadImage, CaptionDropout, Prior, ClassImages,
        ClassImagesFolder, PriorLossWeight, Device, Precision,
    ];

    static readonly Dictionary<string, TrainSetting> ByPresetKey = All.ToDictionary(s => s.PresetKey, StringComparer.Ordinal);

    /// <summary>The setting a preset key names, or null.</summary>
    public static TrainSetting? FromPresetKey(string key) => ByPresetKey.GetValueOrDefault(key);

    /// <summary>Every key a preset may use for a setting.</summary>
    public static IEnumerable<string> PresetKeys => ByPresetKey.Keys;

    static ScalarSetting<string> Choice(string name, string description, string defaultValue, params string[] choices) =>
        new(name, description, defaultValue, choices: choices);

    static Func<int, string?> AtLeast(int minimum) => value => value >= minimum ? null : $"must be at least {minimum}, not {value}";

    static Func<double, string?> Between(double minimum, double maximum) =>
        value => value >= minimum && value <= maximum ? null : $"must be between {Text(minimum)} and {Text(maximum)}, not {Text(value)}";

    static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}
