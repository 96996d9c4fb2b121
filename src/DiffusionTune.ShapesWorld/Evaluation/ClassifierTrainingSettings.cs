using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>How <see cref="ShapesClassifierTrainer"/> trains a classifier. The defaults made the shipped one.</summary>
public sealed record ClassifierTrainingSettings
{
    /// <summary>Seed of the training renders, augmentation and initial weights.</summary>
    public ulong Seed { get; init; } = 1;

    public int Steps { get; init; } = 3600;

    public int BatchSize { get; init; } = 32;

    public double LearningRate { get; init; } = 3e-3;

    /// <summary>
    /// The share of each batch drawn from renders of only the look-alike shapes
    /// (<see cref="ShapesClassifierTrainer.LookAlikes"/>), the one distinction the classifier is slow to learn.
    /// </summary>
    public double LookAlikeShare { get; init; } = 0.25;

    public int WarmupSteps { get; init; } = 60;

    public Device Device { get; init; } = CPU;

    /// <summary>The compute dtype; with bf16 or fp16, AdamW updates fp32 master weights and the saved weights are fp32.</summary>
    public ScalarType Dtype { get; init; } = ScalarType.Float32;

    /// <summary>Seed of the held-out sample the trained classifier is measured on: never one the training renders came from.</summary>
    public ulong HeldOutSeed => Seed + 1_000_003;

    /// <summary>Items per batch from the look-alike renders; the rest come from the whole world.</summary>
    public int LookAlikesPerBatch => (int)Math.Round(BatchSize * LookAlikeShare);

    public void Validate()
    {
        if (Steps < 1) throw new ArgumentException("the step count must be at least 1");
        if (BatchSize < 1) throw new ArgumentException("the batch size must be at least 1");
        if (!(LearningRate > 0)) throw new ArgumentException("the learning rate must be positive");
        if (WarmupSteps < 0) throw new ArgumentException("warm-up steps cannot be negative");
        if (LookAlikeShare is < 0 or >= 1) throw new ArgumentException("the look-alike share must be at least 0 and below 1");
        if (LookAlikesPerBatch >= BatchSize) throw new ArgumentException($"a batch of {BatchSize} leaves no room for the whole world beside {LookAlikesPerBatch} look-alikes; use a larger batch");
    }
}
