using DiffusionTune.Training.Data;

namespace DiffusionTune.Training.Engine;

/// <summary>How class images for prior preservation are obtained.</summary>
public enum PriorPreservation
{
    /// <summary>No class images (the trainer may still regularise without images).</summary>
    None,

    /// <summary>The base model generates them from the class prompt (cached and reused across runs).</summary>
    Generated,

    /// <summary>The user supplies a folder of regularisation images.</summary>
    Images,
}

/// <summary>Everything a training run needs, as the user gave it (the CLI and presets build this).</summary>
public sealed record TrainJob
{
    public required string Trainer { get; init; }

    /// <summary>Trainer option values as text, by option name (validated against the trainer's declared options).</summary>
    public IReadOnlyDictionary<string, string> TrainerOptions { get; init; } = new Dictionary<string, string>();

    public required string Model { get; init; }

    public required string Images { get; init; }

    /// <summary>Prompt of the training images (a caption template: may contain [filewords]); null = each image's .txt caption.</summary>
    public string? InstancePrompt { get; init; }

    /// <summary>The instance prompt without its identifier (e.g. "a photo of star"); used for class images and class-token regularisation.</summary>
    public string? ClassPrompt { get; init; }

    public EngineSettings Engine { get; init; } = new();

    public int? Resolution { get; init; }

    public int Repeats { get; init; } = 1;

    public bool RandomFlip { get; init; }

    public bool AspectBuckets { get; init; }

    public BadImageHandling OnBadImage { get; init; } = BadImageHandling.Refuse;

    public double CaptionDropout { get; init; }

    public PriorPreservation Prior { get; init; }

    public int ClassImages { get; init; } = 100;

    public string? ClassImagesFolder { get; init; }

    public double PriorLossWeight { get; init; } = 1.0;

    public required string OutputFolder { get; init; }

    public required string OutputName { get; init; }

    public ModelOutputFormat ModelFormat { get; init; } = ModelOutputFormat.Diffusers;

    /// <summary>Checkpoints, logs, samples and the latent cache; a run folder with checkpoints is resumed.</summary>
    public required string RunFolder { get; init; }

    public string Device { get; init; } = "auto";

    public string Precision { get; init; } = "fp32";
}
