using DiffusionTune.Diffusion.Schedules;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>
/// The timesteps and noise levels of the Euler samplers (diffusers EulerDiscreteScheduler's rules, which
/// EulerAncestralDiscreteScheduler shares): σ interpolated at the spaced timesteps, or Karras-spaced between the
/// first and last of those with the timesteps mapped back from σ; then a final σ = 0.
/// </summary>
sealed record EulerNoiseLevels(float[] Timesteps, float[] Sigmas, float InitNoiseSigma)
{
    public static EulerNoiseLevels Create(NoiseSchedule schedule, int steps, bool karras)
    {
        var spacing = schedule.Options.TimestepSpacing ?? TimestepSpacing.Linspace;
        var timesteps = InferenceTimesteps.Euler(schedule.Options, steps, spacing);
        var trainingSigmas = SigmaTables.Training(schedule);
        var sigmas = timesteps.Select(t => SigmaTables.Interpolate(trainingSigmas, t)).ToArray();
        if (karras)
        {
            sigmas = SigmaTables.Karras(sigmaMin: sigmas[^1], sigmaMax: sigmas[0], steps);
            var logSigmas = SigmaTables.LogSigmas(trainingSigmas);
            timesteps = sigmas.Select(sigma => SigmaTables.SigmaToTimestep(sigma, logSigmas)).ToArray();
        }
        var sigmasWithFinal = sigmas.Select(sigma => (float)sigma).Append(0f).ToArray();
        float maxSigma = sigmasWithFinal.Max();
        // diffusers starts leading spacing from √(σ²+1) rather than σ; kept so seeds give diffusers' images.
        float initNoiseSigma = spacing == TimestepSpacing.Leading ? MathF.Sqrt(maxSigma * maxSigma + 1) : maxSigma;
        return new EulerNoiseLevels(timesteps.Select(t => (float)t).ToArray(), sigmasWithFinal, initNoiseSigma);
    }
}
