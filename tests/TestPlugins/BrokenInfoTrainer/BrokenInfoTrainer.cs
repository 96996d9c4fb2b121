using DiffusionTune.Contracts;

namespace BrokenInfoTrainer;

/// <summary>A trainer whose <see cref="Info"/> is null.</summary>
public sealed class NullInfoTrainer : ITrainer
{
    /// <inheritdoc/>
    public TrainerInfo Info => null!;

    /// <inheritdoc/>
    public ITrainingSession Begin(ITrainingContext context) => throw new NotSupportedException();
}

/// <summary>A trainer with an empty name.</summary>
public sealed class EmptyNameTrainer : ITrainer
{
    /// <inheritdoc/>
    public TrainerInfo Info { get; } = new("", "no name", new Version(1, 0), []);

    /// <inheritdoc/>
    public ITrainingSession Begin(ITrainingContext context) => throw new NotSupportedException();
}

/// <summary>A trainer whose static constructor fails.</summary>
public sealed class StaticConstructorTrainer : ITrainer
{
    static readonly string Licence = Environment.GetEnvironmentVariable("NO_SUCH_LICENCE") ?? throw new InvalidOperationException("licence server unreachable");

    /// <inheritdoc/>
    public TrainerInfo Info { get; } = new("static-" + Licence, "never loads", new Version(1, 0), []);

    /// <inheritdoc/>
    public ITrainingSession Begin(ITrainingContext context) => throw new NotSupportedException();
}
