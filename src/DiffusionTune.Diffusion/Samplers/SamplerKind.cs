namespace DiffusionTune.Diffusion.Samplers;

/// <summary>The sampling algorithms available for generation.</summary>
public enum SamplerKind
{
    /// <summary>DDIM (Song et al.), deterministic unless eta &gt; 0.</summary>
    Ddim,

    /// <summary>Euler's method on the probability-flow ODE (Karras et al.'s Algorithm 1 without churn).</summary>
    Euler,

    /// <summary>Euler steps with fresh noise added each step (k-diffusion's <c>sample_euler_ancestral</c>; A1111's "Euler a").</summary>
    EulerAncestral,

    /// <summary>DPM-Solver++ (2M): second-order multistep solver on the data prediction (Lu et al.).</summary>
    DpmPlusPlus2M,
}
