namespace DiffusionTune.Training.Loop;

/// <summary>The loss or the gradients stopped being finite numbers; the run stops and keeps its last good checkpoint.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
