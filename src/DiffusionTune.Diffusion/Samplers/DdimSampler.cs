using DiffusionTune.Diffusion.Schedules;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>
/// DDIM (Song et al., "Denoising Diffusion Implicit Models"; diffusers DDIMScheduler): from the model's x̂₀ and ε̂,
/// x<sub>prev</sub> = √ᾱ<sub>prev</sub>·x̂₀ + √(1−ᾱ<sub>prev</sub>−σ²)·ε̂ + σ·z with σ = η·√((1−ᾱ<sub>prev</sub>)/(1−ᾱ)·(1−ᾱ/ᾱ<sub>prev</sub>)).
/// η = 0 is deterministic; η = 1 is DDPM-like. Works on the model's own (variance-preserving) sample scale.
/// </summary>
public sealed class DdimSampler : ISampler
{
    readonly NoiseSchedule _schedule;
    readonly float[] _timesteps;
    readonly long[] _trainingTimesteps;
    readonly int _stepRatio;
    readonly double _eta;
    readonly INoiseSource? _noise;

    /// <summary>A sampler over <paramref name="steps"/> steps of <paramref name="schedule"/>.</summary>
    /// <param name="schedule">The model's noise schedule; its timestep spacing defaults to <c>leading</c>.</param>
    /// <param name="steps">The number of model evaluations.</param>
    /// <param name="eta">η ≥ 0, the share of fresh noise per step.</param>
    /// <param name="noise">Where the fresh noise comes from; required when <paramref name="eta"/> &gt; 0.</param>
    public DdimSampler(NoiseSchedule schedule, int steps, double eta = 0, INoiseSource? noise = null)
    {
        if (!(eta >= 0)) throw new ArgumentOutOfRangeException(nameof(eta), eta, "eta must be at least 0");
        if (eta > 0 && noise is null) throw new ArgumentNullException(nameof(noise), "DDIM with eta > 0 needs a noise source");
        _schedule = schedule;
        _trainingTimesteps = InferenceTimesteps.Ddim(schedule.Options, steps, schedule.Options.TimestepSpacing ?? TimestepSpacing.Leading);
        _timesteps = _trainingTimesteps.Select(t => (float)t).ToArray();
        _stepRatio = schedule.NumTrainTimesteps / steps;
        _eta = eta;
        _noise = noise;
    }

    /// <inheritdoc/>
    public IReadOnlyList<float> Timesteps => _timesteps;

    /// <inheritdoc/>
    public float InitNoiseSigma => 1f;

    /// <summary>The sample itself (as a new tensor): DDIM feeds the model unscaled.</summary>
    public Tensor ScaleModelInput(Tensor sample, int stepIndex)
    {
        SamplerArguments.CheckStepIndex(stepIndex, _timesteps.Length);
        return sample.alias();
    }

    /// <inheritdoc/>
    public Tensor Step(Tensor modelOutput, int stepIndex, Tensor sample)
    {
        SamplerArguments.CheckStepIndex(stepIndex, _timesteps.Length);
        SamplerArguments.CheckSameShape(modelOutput, sample);
        using var scope = NewDisposeScope();
        long timestep = _trainingTimesteps[stepIndex];
        // diffusers steps back by T / steps whatever the spacing, and past timestep 0 onto the "final" ᾱ.
        long previousTimestep = timestep - _stepRatio;
        double alphaBar = _schedule.AlphasCumprod[(int)timestep];
        double previousAlphaBar = previousTimestep >= 0
            ? _schedule.AlphasCumprod[(int)previousTimestep]
            : _schedule.Options.SetAlphaToOne ? 1.0 : _schedule.AlphasCumprod[0];
        double signal = Math.Sqrt(alphaBar), noiseLevel = Math.Sqrt(1 - alphaBar);

        var x = sample.to(ScalarType.Float32);
        var output = modelOutput.to(ScalarType.Float32);
        var (predictedOriginal, predictedNoise) = _schedule.PredictionType switch
        {
            PredictionType.Epsilon => ((x - noiseLevel * output) / signal, output),
            PredictionType.VPrediction => (signal * x - noiseLevel * output, signal * output + noiseLevel * x),
            PredictionType.Sample => (output, (x - signal * output) / noiseLevel),
            _ => throw new InvalidOperationException($"unknown prediction type {_schedule.PredictionType}"),
        };
        if (_schedule.Options.ClipSample)
            predictedOriginal = predictedOriginal.clamp(-_schedule.Options.ClipSampleRange, _schedule.Options.ClipSampleRange);

        double variance = (1 - previousAlphaBar) / (1 - alphaBar) * (1 - alphaBar / previousAlphaBar);
        double noiseStd = _eta * Math.Sqrt(variance);
        var next = Math.Sqrt(previousAlphaBar) * predictedOriginal
                   + Math.Sqrt(1 - previousAlphaBar - noiseStd * noiseStd) * predictedNoise;
        if (_eta > 0)
            next = next + noiseStd * _noise!.Draw(sample.shape, sample.device, ScalarType.Float32);
        return scope.MoveToOuter(next.to(sample.dtype));
    }

    /// <summary>√ᾱ·x₀ + √(1−ᾱ)·noise at this step's timestep, in <paramref name="original"/>'s dtype.</summary>
    public Tensor AddNoise(Tensor original, Tensor noise, int stepIndex)
    {
        SamplerArguments.CheckStepIndex(stepIndex, _timesteps.Length);
        using var scope = NewDisposeScope();
        double alphaBar = _schedule.AlphasCumprod[(int)_trainingTimesteps[stepIndex]];
        var noisy = Math.Sqrt(alphaBar) * original.to(ScalarType.Float32) + Math.Sqrt(1 - alphaBar) * noise.to(ScalarType.Float32);
        return scope.MoveToOuter(noisy.to(original.dtype));
    }

    /// <summary>Nothing to release (the noise source belongs to the caller); present for <see cref="ISampler"/>.</summary>
    public void Dispose() { }
}
