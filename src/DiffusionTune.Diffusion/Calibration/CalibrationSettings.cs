namespace DiffusionTune.Diffusion.Calibration;

/// <summary>How thoroughly <see cref="CalibrationSearch"/> looks for strengths.</summary>
public sealed record CalibrationSettings
{
    /// <summary>The global sweep tries α = 0, 1/n, 2/n … 1.</summary>
    public int GlobalSteps { get; init; } = 10;

    /// <summary>Halvings of the interval between the last global α within the budget and the first beyond it.</summary>
    public int Bisections { get; init; } = 4;

    /// <summary>The per-block search moves each knob by these steps, coarse to fine; empty = global α only.</summary>
    public IReadOnlyList<double> BlockSteps { get; init; } = [0.2, 0.1, 0.05];

    /// <summary>The most points the whole search measures (each one a pass over the prompts).</summary>
    public int MaxEvaluations { get; init; } = 60;

    /// <summary>A per-block move must raise the concept fidelity by more than this to be taken.</summary>
    public double MinimumGain { get; init; } = 1e-4;

    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (GlobalSteps < 1) throw new ArgumentException($"the global sweep needs at least 1 step (got {GlobalSteps})");
        if (Bisections < 0) throw new ArgumentException($"bisections cannot be negative (got {Bisections})");
        if (BlockSteps.Any(s => !(s > 0 && s <= 1))) throw new ArgumentException($"per-block steps must lie in (0, 1] (got {string.Join(", ", BlockSteps)})");
        if (MaxEvaluations < GlobalSteps + 1) throw new ArgumentException($"at least {GlobalSteps + 1} evaluations are needed for the global sweep (got {MaxEvaluations})");
    }
}
