using TorchSharp.Modules;

namespace DiffusionTune.Training.Optimization;

/// <summary>Parameters trained together with one learning-rate multiplier (per-block learning rates).</summary>
public sealed record TrainableGroup(string Name, IReadOnlyList<(string Name, Parameter Parameter)> Parameters, double LearningRateMultiplier = 1.0);
