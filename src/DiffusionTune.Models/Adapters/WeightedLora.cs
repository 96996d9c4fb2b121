using DiffusionTune.IO.Formats;

namespace DiffusionTune.Models.Adapters;

/// <summary>One adapter's layers (usually a <see cref="LoraNetwork"/>'s) and the strength to apply them at; 0 leaves the model as it is.</summary>
public sealed record WeightedLora(IReadOnlyList<LoraLayer> Layers, double Strength);
