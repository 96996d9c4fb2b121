using DiffusionTune.Diffusion.Schedules;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>
/// Ancestral Euler sampling (diffusers EulerAncestralDiscreteScheduler, k-diffusion <c>sample_euler_ancestral</c>;
/// A1111's "Euler a"): each step goes deterministically down to σ<sub>down</sub>, then adds fresh noise of
/// σ<sub>up</sub>, where σ<sub>down</sub>² + σ<sub>up</sub>² = σ<sub>next</sub>². One draw per step, the last one
/// included (scaled by 0), so a seeded stream stays aligned with diffusers'.
/// </summary>
public sealed class EulerAncestralSampler(NoiseSchedule schedule, int steps, INoiseSource noise, bool karras = false)
    : EulerFamilySampler(schedule, steps, karras)
{
    /// <inheritdoc/>
    protected override Tensor Advance(Tensor x, Tensor derivative, double sigma, double nextSigma)
    {
        double sigmaUp = Math.Sqrt(nextSigma * nextSigma * (sigma * sigma - nextSigma * nextSigma) / (sigma * sigma));
        // √(σ_next² − σ_up²) simplified, so rounding can never take a square root of a negative number.
        double sigmaDown = nextSigma * nextSigma / sigma;
        var fresh = noise.Draw(x.shape, x.device, ScalarType.Float32);
        return x + derivative * (sigmaDown - sigma) + fresh * sigmaUp;
    }
}
