using DiffusionTune.Contracts;
using DiffusionTune.Models.Runtime;
using DiffusionTune.Training.Engine;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary>Random latents with a fixed prompt: a training step without data loading, for timing.</summary>
sealed class RandomLatentBatches(int batch, int channels, int size, Device device) : ITrainingBatches
{
    public TrainingBatch Get(int step, int microBatch, Generator random) =>
        new(HostToDevice.Move(randn([batch, channels, size, size], generator: random), device),
            Enumerable.Repeat("a photo of sks star", batch).ToArray(), new bool[batch], Enumerable.Repeat(1f, batch).ToArray());

    public double EpochsAfter(int steps) => steps;
}
