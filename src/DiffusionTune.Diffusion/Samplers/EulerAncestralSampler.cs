using DiffusionTune.Diffusion.Schedules;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>
/// Ancestral Euler sampling (diffusers EulerAncestralDiscreteScheduler, k-diffusion <c>sample_euler_ancestral</c>;
/// A1111's "Euler a"): each step goes deterministically down to σ<sub>down</sub>, then adds fresh noise of
/// σ<sub>up</sub>, where σ<sub>down</sub>² + σ<sub>up</sub>² = σ<sub>next</sub>². One draw per step, the last one
/// included (scaled by 0), so a seeded stream stays aligned with diffusers'.
/// </summary>
public sealed class EulerAncestralSampler : ISampler
{
    readonly EulerNoiseLevels _levels;
    readonly PredictionType _prediction;
    readonly INoiseSource _noise;

    /// <summary>A sampler over <paramref name="steps"/> steps of <paramref name="schedule"/> that draws from <paramref name="noise"/>.</summary>
    public EulerAncestralSampler(NoiseSchedule schedule, int steps, INoiseSource noise, bool karras = false)
    {
        _levels = EulerNoiseLevels.Create(schedule, steps, karras);
        _prediction = schedule.PredictionType;
        _noise = noise;
    }

    /// <inheritdoc/>
    public IReadOnlyList<float> Timesteps => _levels.Timesteps;

    /// <summary>σ at the start of each step, plus the final 0 (length steps + 1).</summary>
    public IReadOnlyList<float> Sigmas => _levels.Sigmas;

    /// <inheritdoc/>
    public float InitNoiseSigma => _levels.InitNoiseSigma;

    /// <inheritdoc/>
    public Tensor ScaleModelInput(Tensor sample, int stepIndex)
    {
        SamplerArguments.CheckStepIndex(stepIndex, Timesteps.Count);
        return SigmaSpace.ScaleModelInput(sample, _levels.Sigmas[stepIndex]);
    }

    /// <inheritdoc/>
    public Tensor Step(Tensor modelOutput, int stepIndex, Tensor sample)
    {
        SamplerArguments.CheckStepIndex(stepIndex, Timesteps.Count);
        SamplerArguments.CheckSameShape(modelOutput, sample);
        using var scope = NewDisposeScope();
        double sigma = _levels.Sigmas[stepIndex], nextSigma = _levels.Sigmas[stepIndex + 1];
        double sigmaUp = Math.Sqrt(nextSigma * nextSigma * (sigma * sigma - nextSigma * nextSigma) / (sigma * sigma));
        // √(σ_next² − σ_up²) simplified, so rounding can never take a square root of a negative number.
        double sigmaDown = nextSigma * nextSigma / sigma;

        var x = sample.to(ScalarType.Float32);
        var predictedOriginal = SigmaSpace.PredictOriginal(x, modelOutput.to(ScalarType.Float32), sigma, _prediction);
        var derivative = (x - predictedOriginal) / sigma;
        var noise = _noise.Draw(sample.shape, sample.device, ScalarType.Float32);
        var next = x + derivative * (sigmaDown - sigma) + noise * sigmaUp;
        return scope.MoveToOuter(next.to(sample.dtype));
    }

    /// <inheritdoc/>
    public Tensor AddNoise(Tensor original, Tensor noise, int stepIndex)
    {
        SamplerArguments.CheckStepIndex(stepIndex, Timesteps.Count);
        return SigmaSpace.AddNoise(original, noise, _levels.Sigmas[stepIndex]);
    }

    /// <summary>Nothing to release (the noise source belongs to the caller); present for <see cref="ISampler"/>.</summary>
    public void Dispose() { }
}
