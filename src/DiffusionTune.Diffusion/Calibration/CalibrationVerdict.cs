using DiffusionTune.Diffusion.Damage;

namespace DiffusionTune.Diffusion.Calibration;

/// <summary>
/// A calibration in one plain sentence: how much of the concept the calibrated model keeps, in words that do not
/// oversell it (fidelity is measured on noise predictions, so the sentence says so and asks for a look at images),
/// and how much general drift it gave back.
/// </summary>
public static class CalibrationVerdict
{
    /// <summary>From this concept fidelity up, the calibrated model keeps most of the concept.</summary>
    public const double Most = 0.9;

    /// <summary>From this fidelity up (and below <see cref="Most"/>), part of the concept is lost.</summary>
    public const double Part = 0.5;

    /// <summary>Below this fidelity, the concept is as good as gone.</summary>
    public const double Trace = 0.1;

    public static string For(CalibrationResult result)
    {
        var tuned = result.Tuned;
        if (result.TunedWithinLimit)
            return $"The fine-tune already keeps within the budget ({DriftVerdict.Percent(tuned.GeneralDrift)} general drift): nothing to give back, use it as it is.";
        var chosen = result.Chosen;
        var drift = $"general drift {DriftVerdict.Percent(tuned.GeneralDrift)} → {DriftVerdict.Percent(chosen.GeneralDrift)}";
        var kept = $"{DriftVerdict.Percent(chosen.ConceptFidelity)} of the fine-tune's change on the concept prompts";
        return chosen.ConceptFidelity switch
        {
            >= Most => $"The calibrated model keeps most ({kept}) with {drift}; that is measured on noise predictions, so look at a few images to confirm.",
            >= Part => $"The calibrated model keeps about {kept} with {drift}: part of the concept is lost; compare images before using it.",
            >= Trace => $"The calibrated model keeps only {kept} with {drift}: most of the concept is gone; a looser --budget, or a fine-tune that changes less elsewhere, keeps more.",
            _ => $"The calibrated model keeps almost none ({kept}) with {drift}: at this budget the concept is gone; loosen --budget or retrain with less drift.",
        };
    }
}
