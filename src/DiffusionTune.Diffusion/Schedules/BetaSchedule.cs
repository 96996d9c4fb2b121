namespace DiffusionTune.Diffusion.Schedules;

/// <summary>How the per-timestep noise variances β<sub>t</sub> of the training process are laid out.</summary>
public enum BetaSchedule
{
    /// <summary>β evenly spaced from <c>beta_start</c> to <c>beta_end</c> (diffusers <c>linear</c>).</summary>
    Linear,

    /// <summary>√β evenly spaced, then squared (diffusers <c>scaled_linear</c>; Stable Diffusion 1.x and 2.x).</summary>
    ScaledLinear,

    /// <summary>The cosine ᾱ schedule of Nichol and Dhariwal, β capped at 0.999 (diffusers <c>squaredcos_cap_v2</c>).</summary>
    SquaredCosCapV2,
}
