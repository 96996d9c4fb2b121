using DiffusionTune.Diffusion.Schedules;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>Creates the sampler a user chose. (Not named <c>Samplers</c>: inside <c>DiffusionTune.Diffusion.*</c> that name means this namespace.)</summary>
public static class SamplerFactory
{
    /// <summary>A fresh sampler for one generation.</summary>
    /// <param name="kind">The algorithm.</param>
    /// <param name="schedule">The model's noise schedule (its prediction type decides how outputs are read).</param>
    /// <param name="steps">The number of model evaluations.</param>
    /// <param name="karras">Step through Karras et al.'s noise levels (Euler, Euler a and DPM++ 2M only).</param>
    /// <param name="noise">The noise for stochastic samplers (Euler a); unused by the others. Stays the caller's.</param>
    /// <exception cref="ArgumentException">DDIM with Karras, or Euler a without a noise source.</exception>
    public static ISampler Create(SamplerKind kind, NoiseSchedule schedule, int steps, bool karras = false, INoiseSource? noise = null)
    {
        if (karras && kind == SamplerKind.Ddim)
            throw new ArgumentException("DDIM has no Karras variant", nameof(karras));
        return kind switch
        {
            SamplerKind.Ddim => new DdimSampler(schedule, steps),
            SamplerKind.Euler => new EulerSampler(schedule, steps, karras),
            SamplerKind.EulerAncestral => new EulerAncestralSampler(
                schedule, steps, noise ?? throw new ArgumentNullException(nameof(noise), "Euler a needs a noise source"), karras),
            SamplerKind.DpmPlusPlus2M => new DpmSolverMultistepSampler(schedule, steps, karras),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    /// <inheritdoc cref="Create(SamplerKind, NoiseSchedule, int, bool, INoiseSource?)"/>
    public static ISampler Create(SamplerChoice choice, NoiseSchedule schedule, int steps, INoiseSource? noise = null) =>
        Create(choice.Kind, schedule, steps, choice.Karras, noise);
}
