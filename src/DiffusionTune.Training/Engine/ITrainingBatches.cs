using DiffusionTune.Contracts;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Engine;

/// <summary>Where the engine gets its batches: a pure function of (step, micro-batch), so a resumed run sees the same data.</summary>
public interface ITrainingBatches
{
    /// <summary>The batch of optimizer step <paramref name="step"/>, micro-batch <paramref name="microBatch"/>, on the run's device.</summary>
    TrainingBatch Get(int step, int microBatch, Generator random);

    /// <summary>Passes over the (repeated) training images completed after <paramref name="steps"/> steps.</summary>
    double EpochsAfter(int steps);
}
