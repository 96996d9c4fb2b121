namespace DiffusionTune.Diffusion.Calibration;

/// <summary>What a calibration search found.</summary>
/// <param name="Points">Every point measured, in the order the search measured them.</param>
/// <param name="Chosen">The point with the most concept fidelity within the limit (ties: the least drift).</param>
/// <param name="Limit">The general drift allowed.</param>
/// <param name="Tuned">The tuned model itself (α = 1 everywhere).</param>
public sealed record CalibrationResult(IReadOnlyList<CalibrationPoint> Points, CalibrationPoint Chosen, double Limit, CalibrationPoint Tuned)
{
    /// <summary>Whether the tuned model already keeps within the limit (so <see cref="Chosen"/> is the tuned model).</summary>
    public bool TunedWithinLimit => Tuned.Within(Limit);
}
