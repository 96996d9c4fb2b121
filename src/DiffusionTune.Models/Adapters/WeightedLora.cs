using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Merging;

namespace DiffusionTune.Models.Adapters;

/// <summary>
/// One adapter's layers (usually a <see cref="LoraNetwork"/>'s) and the strength to apply them at; 0 leaves the model
/// as it is. With <see cref="BlockStrengths"/> each layer's strength is also scaled by the α of its layer's block.
/// </summary>
public sealed record WeightedLora(IReadOnlyList<LoraLayer> Layers, double Strength)
{
    /// <summary>Per-block factors on <see cref="Strength"/> (A1111's "LoRA block weight"); null applies it evenly.</summary>
    public BlockWeights? BlockStrengths { get; init; }

    /// <summary>The strength of the text-encoder layers (A1111's <c>te</c> multiplier) when it differs from <see cref="Strength"/>; null: <see cref="Strength"/>.</summary>
    public double? TextEncoderStrength { get; init; }

    /// <summary>The strength the layer adapting <paramref name="target"/> applies at.</summary>
    public double StrengthOf(AdaptableModule target) =>
        (target.Component == ModelComponent.TextEncoder ? TextEncoderStrength ?? Strength : Strength) * (BlockStrengths?.AlphaOf(target) ?? 1.0);
}
