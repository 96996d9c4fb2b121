using DiffusionTune.Diffusion.Schedules;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>
/// Euler's method on the probability-flow ODE in σ space (diffusers EulerDiscreteScheduler with no churn;
/// A1111's "Euler" / "Euler Karras"): x ← x + (x − x̂₀)/σ · (σ<sub>next</sub> − σ). Deterministic and stateless.
/// </summary>
public sealed class EulerSampler : ISampler
{
    readonly EulerNoiseLevels _levels;
    readonly PredictionType _prediction;

    /// <summary>A sampler over <paramref name="steps"/> steps of <paramref name="schedule"/>, optionally Karras-spaced.</summary>
    public EulerSampler(NoiseSchedule schedule, int steps, bool karras = false)
    {
        _levels = EulerNoiseLevels.Create(schedule, steps, karras);
        _prediction = schedule.PredictionType;
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
        var x = sample.to(ScalarType.Float32);
        var predictedOriginal = SigmaSpace.PredictOriginal(x, modelOutput.to(ScalarType.Float32), sigma, _prediction);
        var derivative = (x - predictedOriginal) / sigma;
        var next = x + derivative * (nextSigma - sigma);
        return scope.MoveToOuter(next.to(sample.dtype));
    }

    /// <inheritdoc/>
    public Tensor AddNoise(Tensor original, Tensor noise, int stepIndex)
    {
        SamplerArguments.CheckStepIndex(stepIndex, Timesteps.Count);
        return SigmaSpace.AddNoise(original, noise, _levels.Sigmas[stepIndex]);
    }

    /// <summary>Nothing to release; present for <see cref="ISampler"/>.</summary>
    public void Dispose() { }
}
