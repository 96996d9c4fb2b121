using DiffusionTune.Contracts;

namespace FutureContractTrainer;

/// <summary>A trainer that claims a contract major version the host does not have.</summary>
public sealed class FutureContractTrainer : ITrainer
{
    /// <inheritdoc/>
    public TrainerInfo Info { get; } = new("future", "needs contract 2.0", new Version(1, 0), []) { ContractVersion = new Version(2, 0) };

    /// <inheritdoc/>
    public ITrainingSession Begin(ITrainingContext context) => throw new NotSupportedException();
}
