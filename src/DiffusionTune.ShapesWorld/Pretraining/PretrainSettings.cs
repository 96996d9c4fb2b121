using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Pretraining;

/// <summary>How to pretrain the shapes-world model. The defaults are the recipe that made the shipped model.</summary>
public sealed record PretrainSettings
{
    /// <summary>Holds checkpoints, logs and sample grids of both stages; resuming reads it.</summary>
    public required string RunFolder { get; init; }

    public ulong Seed { get; init; } = 2024;

    public ScalarType Dtype { get; init; } = ScalarType.BFloat16;

    public Device Device { get; init; } = CPU;

    public int CheckpointEvery { get; init; } = 250;

    public int VaeSteps { get; init; } = 2500;

    public int VaeBatchSize { get; init; } = 16;

    public double VaeLearningRate { get; init; } = 1e-3;

    public int DenoiserSteps { get; init; } = 6000;

    public int DenoiserBatchSize { get; init; } = 32;

    public double DenoiserLearningRate { get; init; } = 4e-4;

    public int WarmupSteps { get; init; } = 200;

    /// <summary>Share of captions replaced by the empty prompt, so the model also learns the unconditional prediction CFG needs.</summary>
    public double CaptionDropout { get; init; } = 0.1;

    public double EmaDecay { get; init; } = 0.999;

    /// <summary>Min-SNR-γ loss weighting (Hang et al. 2023), which speeds up convergence.</summary>
    public double MinSnrGamma { get; init; } = 5;

    public void Validate()
    {
        if (VaeSteps < 1 || DenoiserSteps < 1) throw new ArgumentException("the step counts must be at least 1");
        if (VaeBatchSize < 1 || DenoiserBatchSize < 1) throw new ArgumentException("batch sizes must be at least 1");
        if (!(VaeLearningRate > 0) || !(DenoiserLearningRate > 0)) throw new ArgumentException("learning rates must be positive");
        if (CaptionDropout is < 0 or > 1) throw new ArgumentException("caption dropout must be between 0 and 1");
        if (EmaDecay is <= 0 or >= 1) throw new ArgumentException("the EMA decay must be between 0 and 1");
        if (CheckpointEvery < 1) throw new ArgumentException("--checkpoint-every must be at least 1");
    }
}
