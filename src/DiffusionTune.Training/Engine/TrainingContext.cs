using DiffusionTune.Contracts;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Engine;

/// <summary>The engine's <see cref="ITrainingContext"/>.</summary>
public sealed record TrainingContext(IDiffusionModel Model, TrainerOptionValues Options, Device Device, ScalarType ComputeDtype,
    ConceptDescription Concept, ITrainingLog Log) : ITrainingContext;
