using TorchSharp.Modules;

namespace DiffusionTune.Contracts;

/// <summary>Parameters trained together, with one learning-rate multiplier.</summary>
/// <param name="Name">A label for logs (e.g. "unet", "text_encoder").</param>
/// <param name="Parameters">The parameters with names unique in the run.</param>
/// <param name="LearningRateMultiplier">Scales the run's learning rate for this group.</param>
public sealed record ParameterGroup(string Name, IReadOnlyList<(string Name, Parameter Parameter)> Parameters, double LearningRateMultiplier = 1.0);
