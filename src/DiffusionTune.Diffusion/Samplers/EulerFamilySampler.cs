using DiffusionTune.Diffusion.Schedules;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>
/// What Euler and Euler ancestral share: they walk the σ levels of <see cref="EulerNoiseLevels"/>, feed the model
/// σ-scaled inputs, and differ only in how a step moves from σ to the next level given the ODE derivative.
/// </summary>
public abstract class EulerFamilySampler : ISampler
{
    readonly EulerNoiseLevels _levels;
    readonly PredictionType _prediction;

    protected EulerFamilySampler(NoiseSchedule schedule, int steps, bool karras)
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
        return scope.MoveToOuter(Advance(x, derivative, sigma, nextSigma).to(sample.dtype));
    }

    /// <summary>The float32 sample at <paramref name="nextSigma"/>, from <paramref name="x"/> at <paramref name="sigma"/> and dx/dσ.</summary>
    protected abstract Tensor Advance(Tensor x, Tensor derivative, double sigma, double nextSigma);

    /// <inheritdoc/>
    public Tensor AddNoise(Tensor original, Tensor noise, int stepIndex)
    {
        SamplerArguments.CheckStepIndex(stepIndex, Timesteps.Count);
        return SigmaSpace.AddNoise(original, noise, _levels.Sigmas[stepIndex]);
    }

    /// <summary>Nothing to release (a noise source belongs to the caller); present for <see cref="ISampler"/>.</summary>
    public void Dispose() => GC.SuppressFinalize(this);
}
