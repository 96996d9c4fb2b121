using DiffusionTune.Diffusion.Schedules;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>
/// The σ parameterisation the Euler samplers work in: the sample is x = x₀ + σ·ε (variance-exploding), and the model,
/// trained on x<sub>t</sub> = √ᾱ·x₀ + √(1−ᾱ)·ε, sees x / √(σ²+1).
/// </summary>
static class SigmaSpace
{
    /// <summary>The model input for a sample at noise level <paramref name="sigma"/>.</summary>
    public static Tensor ScaleModelInput(Tensor sample, double sigma) => sample / Math.Sqrt(sigma * sigma + 1);

    /// <summary>The clean sample x₀ the model's (float32) output implies for the (float32) sample at <paramref name="sigma"/>.</summary>
    public static Tensor PredictOriginal(Tensor sample, Tensor modelOutput, double sigma, PredictionType prediction) => prediction switch
    {
        PredictionType.Epsilon => sample - sigma * modelOutput,
        PredictionType.VPrediction => modelOutput * (-sigma / Math.Sqrt(sigma * sigma + 1)) + sample / (sigma * sigma + 1),
        PredictionType.Sample => modelOutput.alias(),
        _ => throw new ArgumentOutOfRangeException(nameof(prediction), prediction, null),
    };

    /// <summary>x₀ + σ·noise, computed in float32, in <paramref name="original"/>'s dtype.</summary>
    public static Tensor AddNoise(Tensor original, Tensor noise, double sigma)
    {
        using var scope = NewDisposeScope();
        var noisy = original.to(ScalarType.Float32) + sigma * noise.to(ScalarType.Float32);
        return scope.MoveToOuter(noisy.to(original.dtype));
    }
}
