using DiffusionTune.Models.Merging;

namespace DiffusionTune.Diffusion.Calibration;

/// <summary>Which part of the search tried a point.</summary>
public enum CalibrationPhase
{
    /// <summary>One α for the whole model.</summary>
    Global,

    /// <summary>A step of the per-block refinement from the best global α.</summary>
    PerBlock,
}

/// <summary>One set of strengths the calibration search tried, and what it measured there.</summary>
/// <param name="GeneralDrift">The relative prediction drift from the base on the general prompts (the damage; 0 = none).</param>
/// <param name="ConceptFidelity">How much of the tuned model's change on the concept prompts remains (1 = all of it, 0 = none).</param>
public sealed record CalibrationPoint(BlockWeights Weights, CalibrationPhase Phase, double GeneralDrift, double ConceptFidelity)
{
    /// <summary>Whether this point keeps the general drift within <paramref name="limit"/>.</summary>
    public bool Within(double limit) => GeneralDrift <= limit;
}
