namespace DiffusionTune.Diffusion.Schedules;

/// <summary>
/// How a sampler picks its inference timesteps among the training timesteps (diffusers <c>timestep_spacing</c>;
/// see table 2 of "Common Diffusion Noise Schedules and Sample Steps are Flawed").
/// </summary>
public enum TimestepSpacing
{
    /// <summary>Evenly spaced over [0, T−1], always including the last training timestep.</summary>
    Linspace,

    /// <summary>Multiples of T / steps counted up from 0, shifted by <c>steps_offset</c> (Stable Diffusion's original DDIM setup).</summary>
    Leading,

    /// <summary>Multiples of T / steps counted down from T, minus one.</summary>
    Trailing,
}
