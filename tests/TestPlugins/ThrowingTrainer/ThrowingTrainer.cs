using DiffusionTune.Contracts;

namespace ThrowingTrainer;

/// <summary>A trainer whose constructor fails.</summary>
public sealed class ThrowingTrainer : ITrainer
{
    /// <summary>Always throws.</summary>
    public ThrowingTrainer() => throw new InvalidOperationException("no licence key found");

    /// <inheritdoc/>
    public TrainerInfo Info => throw new NotSupportedException();

    /// <inheritdoc/>
    public ITrainingSession Begin(ITrainingContext context) => throw new NotSupportedException();
}
