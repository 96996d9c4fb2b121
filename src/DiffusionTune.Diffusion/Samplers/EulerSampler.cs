using DiffusionTune.Diffusion.Schedules;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>
/// Euler's method on the probability-flow ODE in σ space (diffusers EulerDiscreteScheduler with no churn;
/// A1111's "Euler" / "Euler Karras"): x ← x + (x − x̂₀)/σ · (σ<sub>next</sub> − σ). Deterministic and stateless.
/// </summary>
public sealed class EulerSampler(NoiseSchedule schedule, int steps, bool karras = false) : EulerFamilySampler(schedule, steps, karras)
{
    /// <inheritdoc/>
    protected override Tensor Advance(Tensor x, Tensor derivative, double sigma, double nextSigma) =>
        x + derivative * (nextSigma - sigma);
}
