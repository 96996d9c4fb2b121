using DiffusionTune.Diffusion.Schedules;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>
/// DPM-Solver++(2M) (Lu et al., "DPM-Solver++: Fast Solver for Guided Sampling of Diffusion Probabilistic Models";
/// diffusers DPMSolverMultistepScheduler with algorithm_type dpmsolver++, solver_order 2, midpoint; A1111's
/// "DPM++ 2M" / "DPM++ 2M Karras"). Each step extrapolates the data prediction x̂₀ linearly in λ = log(α/σ) from
/// this step's and the previous step's predictions. The first step has no previous prediction and the last one
/// jumps to σ = 0, so both are first order (the last simply returns x̂₀), as diffusers does with
/// <c>lower_order_final</c> and <c>final_sigmas_type</c> "zero". Works on the model's own (variance-preserving)
/// sample scale. Stateful: use a fresh sampler per generation and step through consecutive indices.
/// </summary>
public sealed class DpmSolverMultistepSampler : ISampler
{
    readonly float[] _timesteps;
    readonly float[] _sigmas;
    readonly PredictionType _prediction;
    Tensor? _previousPrediction;
    int _previousStepIndex = -1;

    /// <summary>A sampler over <paramref name="steps"/> steps of <paramref name="schedule"/>, optionally Karras-spaced.</summary>
    public DpmSolverMultistepSampler(NoiseSchedule schedule, int steps, bool karras = false)
    {
        _prediction = schedule.PredictionType;
        var spacing = schedule.Options.TimestepSpacing ?? TimestepSpacing.Linspace;
        var timesteps = InferenceTimesteps.DpmSolver(schedule.Options, steps, spacing);
        var trainingSigmas = SigmaTables.Training(schedule);
        double[] sigmas;
        if (karras)
        {
            sigmas = SigmaTables.Karras(sigmaMin: trainingSigmas[0], sigmaMax: trainingSigmas[^1], steps);
            var logSigmas = SigmaTables.LogSigmas(trainingSigmas);
            // diffusers rounds the mapped-back timesteps, except for the cosine schedule, whose are truncated.
            timesteps = sigmas
                .Select(sigma => SigmaTables.SigmaToTimestep(sigma, logSigmas))
                .Select(t => schedule.Options.BetaSchedule == BetaSchedule.SquaredCosCapV2 ? (long)t : InferenceTimesteps.RoundHalfEven(t))
                .ToArray();
        }
        else
        {
            sigmas = timesteps.Select(t => (double)trainingSigmas[t]).ToArray();
        }
        _timesteps = timesteps.Select(t => (float)t).ToArray();
        _sigmas = sigmas.Select(sigma => (float)sigma).Append(0f).ToArray();
    }

    /// <inheritdoc/>
    public IReadOnlyList<float> Timesteps => _timesteps;

    /// <summary>σ = √((1−ᾱ)/ᾱ) at the start of each step, plus the final 0 (length steps + 1).</summary>
    public IReadOnlyList<float> Sigmas => _sigmas;

    /// <inheritdoc/>
    public float InitNoiseSigma => 1f;

    /// <summary>The sample itself (as a new tensor): DPM-Solver feeds the model unscaled.</summary>
    public Tensor ScaleModelInput(Tensor sample, int stepIndex)
    {
        SamplerArguments.CheckStepIndex(stepIndex, _timesteps.Length);
        return sample.alias();
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The previous call was not for <paramref name="stepIndex"/> − 1.</exception>
    public Tensor Step(Tensor modelOutput, int stepIndex, Tensor sample)
    {
        SamplerArguments.CheckStepIndex(stepIndex, _timesteps.Length);
        SamplerArguments.CheckSameShape(modelOutput, sample);
        if (_previousStepIndex >= 0 && stepIndex != _previousStepIndex + 1)
            throw new InvalidOperationException(
                $"DPM++ 2M remembers step {_previousStepIndex} and cannot go on with step {stepIndex}; use a fresh sampler per generation");

        using var scope = NewDisposeScope();
        double sigma = _sigmas[stepIndex], nextSigma = _sigmas[stepIndex + 1];
        var (alpha, sigmaVp) = VariancePreserving(sigma);
        var x = sample.to(ScalarType.Float32);
        var output = modelOutput.to(ScalarType.Float32);
        var prediction = _prediction switch
        {
            PredictionType.Epsilon => (x - sigmaVp * output) / alpha,
            PredictionType.VPrediction => alpha * x - sigmaVp * output,
            PredictionType.Sample => output,
            _ => throw new InvalidOperationException($"unknown prediction type {_prediction}"),
        };

        Tensor next;
        if (nextSigma == 0)
        {
            next = prediction;
        }
        else
        {
            var (nextAlpha, nextSigmaVp) = VariancePreserving(nextSigma);
            double h = Lambda(nextSigma) - Lambda(sigma);
            double predictionWeight = nextAlpha * (Math.Exp(-h) - 1.0);
            next = nextSigmaVp / sigmaVp * x - predictionWeight * prediction;
            if (_previousPrediction is not null)
            {
                double r = (Lambda(sigma) - Lambda(_sigmas[stepIndex - 1])) / h;
                var slope = (prediction - _previousPrediction) * (1.0 / r);
                next = next - 0.5 * predictionWeight * slope;
            }
        }
        // The last step's prediction is never needed again.
        Remember(nextSigma == 0 ? null : prediction.DetachFromDisposeScope(), stepIndex);
        return scope.MoveToOuter(next.to(sample.dtype));
    }

    /// <summary>α·x₀ + σ<sub>VP</sub>·noise at this step's noise level, in <paramref name="original"/>'s dtype.</summary>
    public Tensor AddNoise(Tensor original, Tensor noise, int stepIndex)
    {
        SamplerArguments.CheckStepIndex(stepIndex, _timesteps.Length);
        using var scope = NewDisposeScope();
        var (alpha, sigmaVp) = VariancePreserving(_sigmas[stepIndex]);
        var noisy = alpha * original.to(ScalarType.Float32) + sigmaVp * noise.to(ScalarType.Float32);
        return scope.MoveToOuter(noisy.to(original.dtype));
    }

    /// <summary>Releases the remembered prediction.</summary>
    public void Dispose() => Remember(null, -1);

    void Remember(Tensor? prediction, int stepIndex)
    {
        _previousPrediction?.Dispose();
        _previousPrediction = prediction;
        _previousStepIndex = stepIndex;
    }

    /// <summary>α = 1/√(σ²+1) and σ<sub>VP</sub> = σ·α: the noise level in the model's own parameterisation.</summary>
    static (double Alpha, double SigmaVp) VariancePreserving(double sigma)
    {
        double alpha = 1 / Math.Sqrt(sigma * sigma + 1);
        return (alpha, sigma * alpha);
    }

    /// <summary>λ = log(α/σ<sub>VP</sub>) = −log σ, the half-log-SNR DPM-Solver integrates over.</summary>
    static double Lambda(double sigma) => -Math.Log(sigma);
}
