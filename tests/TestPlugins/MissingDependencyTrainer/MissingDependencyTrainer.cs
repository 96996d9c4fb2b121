using DiffusionTune.Contracts;

namespace MissingDependencyTrainer;

/// <summary>A trainer whose public surface uses a type from a library that is missing at run time.</summary>
public sealed class MissingDependencyTrainer : ITrainer
{
    /// <summary>Touches the dependency, so loading the trainer needs it.</summary>
    public static readonly Type Needed = typeof(PluginDependency.Greeting);

    /// <inheritdoc/>
    public TrainerInfo Info { get; } = new("missing-dependency", PluginDependency.Greeting.Text, new Version(1, 0), []);

    /// <inheritdoc/>
    public ITrainingSession Begin(ITrainingContext context) => throw new NotSupportedException();
}
