namespace DiffusionTune.Diffusion.Schedules;

/// <summary>What the denoising network predicts from a noisy sample x<sub>t</sub> = √ᾱ·x₀ + √(1−ᾱ)·ε.</summary>
public enum PredictionType
{
    /// <summary>The added noise ε (Stable Diffusion 1.x, 2.x-base).</summary>
    Epsilon,

    /// <summary>The velocity v = √ᾱ·ε − √(1−ᾱ)·x₀ (Stable Diffusion 2.x 768-v models).</summary>
    VPrediction,

    /// <summary>The clean sample x₀ itself.</summary>
    Sample,
}

/// <summary>Conversions between <see cref="PredictionType"/> and the spelling diffusers configs and users write.</summary>
public static class PredictionTypeNames
{
    /// <summary>The diffusers spelling: <c>epsilon</c>, <c>v_prediction</c> or <c>sample</c>.</summary>
    public static string ToConfigName(this PredictionType type) => type switch
    {
        PredictionType.Epsilon => "epsilon",
        PredictionType.VPrediction => "v_prediction",
        PredictionType.Sample => "sample",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Parses the diffusers spelling (also <c>v</c>, <c>eps</c> and <c>original_sample</c>), ignoring case.</summary>
    public static bool TryParse(string text, out PredictionType type)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "epsilon" or "eps":
                type = PredictionType.Epsilon;
                return true;
            case "v_prediction" or "v-prediction" or "v":
                type = PredictionType.VPrediction;
                return true;
            case "sample" or "original_sample":
                type = PredictionType.Sample;
                return true;
            default:
                type = default;
                return false;
        }
    }

    /// <inheritdoc cref="TryParse"/>
    /// <exception cref="FormatException">The text names no prediction type.</exception>
    public static PredictionType Parse(string text) =>
        TryParse(text, out var type)
            ? type
            : throw new FormatException($"unknown prediction type '{text}' (expected epsilon, v_prediction or sample)");
}
