using DiffusionTune.Training.Optimization;

namespace DiffusionTune.Training.Engine;

/// <summary>
/// The options every trainer shares (the engine's part of a run's configuration). Trainer-specific options live in
/// the trainer's <c>TrainerInfo.Options</c>. Defaults suit a LoRA on SD 1.5; presets override them.
/// </summary>
public sealed record EngineSettings
{
    public int Steps { get; init; } = 1000;

    public int BatchSize { get; init; } = 1;

    /// <summary>Micro-batches whose gradients are summed before each optimizer step.</summary>
    public int GradientAccumulation { get; init; } = 1;

    public double LearningRate { get; init; } = 1e-4;

    public LearningRateShape Schedule { get; init; } = LearningRateShape.Constant;

    public int WarmupSteps { get; init; }

    public double MaxGradNorm { get; init; } = 1.0;

    public double WeightDecay { get; init; } = 0.01;

    public ulong Seed { get; init; } = 42;

    /// <summary>EMA decay of the trained weights; 0 turns EMA off. With EMA the saved results hold the averaged weights.</summary>
    public double EmaDecay { get; init; }

    /// <summary>Adds offset·N(0,1) per channel to the noise (brighter darks and darker brights); 0 = off.</summary>
    public double NoiseOffset { get; init; }

    /// <summary>Min-SNR-γ loss weighting; 0 = plain MSE.</summary>
    public double MinSnrGamma { get; init; }

    /// <summary>Text-encoder layer the UNet is conditioned on: 1 = last, 2 = penultimate.</summary>
    public int ClipSkip { get; init; } = 1;

    /// <summary>Recompute UNet block activations in the backward pass instead of storing them.</summary>
    public bool GradientCheckpointing { get; init; }

    /// <summary>How AdamW stores its moments: bf16 saves 4 bytes per trained parameter (full fine-tunes).</summary>
    public MomentPrecision OptimizerMoments { get; init; } = MomentPrecision.Fp32;

    /// <summary>Module-name prefixes whose parameters are never trained (e.g. "up_blocks.3").</summary>
    public IReadOnlyList<string> Freeze { get; init; } = [];

    /// <summary>Learning-rate multipliers by module-name prefix (first match wins), e.g. ("down_blocks", 0.5).</summary>
    public IReadOnlyList<(string Prefix, double Multiplier)> BlockLearningRates { get; init; } = [];

    /// <summary>Steps between intermediate results (and resumable checkpoints); the final result is always saved.</summary>
    public int SaveEvery { get; init; } = 250;

    /// <summary>Steps between sample images; 0 = only at the end.</summary>
    public int SampleEvery { get; init; }

    /// <summary>Prompts rendered at each sample point with fixed seeds (empty: the instance prompt).</summary>
    public IReadOnlyList<string> SamplePrompts { get; init; } = [];

    public int SampleSteps { get; init; } = 20;

    public double SampleGuidance { get; init; } = 5;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException(message); }
        Require(Steps >= 1, $"steps must be at least 1 (got {Steps})");
        Require(BatchSize >= 1, $"batch size must be at least 1 (got {BatchSize})");
        Require(GradientAccumulation >= 1, $"gradient accumulation must be at least 1 (got {GradientAccumulation})");
        Require(LearningRate > 0 && LearningRate < 1, $"learning rate must be in (0, 1) (got {LearningRate})");
        Require(WarmupSteps >= 0 && WarmupSteps <= Steps, $"warmup steps must be between 0 and steps (got {WarmupSteps})");
        Require(MaxGradNorm > 0, $"max gradient norm must be positive (got {MaxGradNorm})");
        Require(WeightDecay >= 0, $"weight decay must not be negative (got {WeightDecay})");
        Require(EmaDecay == 0 || EmaDecay is > 0 and < 1, $"EMA decay must be 0 (off) or in (0, 1) (got {EmaDecay})");
        Require(NoiseOffset is >= 0 and <= 1, $"noise offset must be between 0 and 1 (got {NoiseOffset})");
        Require(MinSnrGamma >= 0, $"min-SNR gamma must not be negative (got {MinSnrGamma})");
        Require(ClipSkip >= 1, $"clip skip must be at least 1 (got {ClipSkip})");
        Require(SaveEvery >= 1, $"save-every must be at least 1 (got {SaveEvery})");
        Require(SampleEvery >= 0, $"sample-every must not be negative (got {SampleEvery})");
        Require(SampleSteps >= 1, $"sample steps must be at least 1 (got {SampleSteps})");
        Require(BlockLearningRates.All(b => b.Multiplier >= 0), "block learning-rate multipliers must not be negative");
    }
}
