using static TorchSharp.torch;

namespace DiffusionTune.Contracts;

/// <summary>A run in progress, created by <see cref="ITrainer.Begin"/>. The engine calls it; disposing ends the run.</summary>
public interface ITrainingSession : IDisposable
{
    /// <summary>
    /// The parameters to optimise, in groups with their own learning-rate multipliers. Every parameter must have
    /// requires_grad set and a name unique in the run (names are how checkpoints restore them).
    /// </summary>
    IReadOnlyList<ParameterGroup> Parameters { get; }

    /// <summary>The loss of one batch (a scalar tensor); the engine runs backward, accumulation and the optimizer.</summary>
    Tensor Loss(TrainingBatch batch, ITrainingStep step);

    /// <summary>Writes the run's result (at save points and at the end), returning what was written.</summary>
    IReadOnlyList<SavedFile> Save(ISaveContext save);
}
