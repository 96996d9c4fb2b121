using static TorchSharp.torch;

namespace DiffusionTune.Models.Vae;

/// <summary>
/// The encoder's diagonal Gaussian over latents (diffusers' <c>DiagonalGaussianDistribution</c>); the log-variance
/// is clamped to [-30, 20] as in the reference. Owns its tensors.
/// </summary>
public sealed class LatentDistribution : IDisposable
{
    public LatentDistribution(Tensor moments)
    {
        using var scope = NewDisposeScope();
        var halves = moments.chunk(2, dim: 1);
        Mean = halves[0].contiguous();
        LogVariance = halves[1].clamp(-30.0, 20.0);
        Std = (LogVariance * 0.5).exp();
        scope.MoveToOuter(Mean, LogVariance, Std);
    }

    public Tensor Mean { get; }

    public Tensor LogVariance { get; }

    public Tensor Std { get; }

    /// <summary>mean + std · noise; pass the noise so sampling follows the caller's generator and device.</summary>
    public Tensor Sample(Tensor noise) => Mean + Std * noise;

    public void Dispose()
    {
        Mean.Dispose();
        LogVariance.Dispose();
        Std.Dispose();
    }
}
