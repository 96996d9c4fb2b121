using System.Globalization;

namespace DiffusionTune.Diffusion.Damage;

/// <summary>
/// A damage report in one plain sentence: how much more the fine-tune changed the concept prompts than everything
/// else, and what that means (it learned the concept, or a general change). Figures are rounded to two significant
/// digits: they come from noise predictions on a few prompts and seeds, and say no more than that.
/// </summary>
public static class DriftVerdict
{
    /// <summary>From this concept-to-general ratio up, the change is called targeted.</summary>
    public const double Targeted = 3;

    /// <summary>Below this ratio, the concept prompts changed about as much as the rest: a general change.</summary>
    public const double General = 1.5;

    /// <param name="generalDrift">Relative drift on the general prompts.</param>
    /// <param name="conceptDrift">Relative drift on the concept prompts; null when there were none.</param>
    public static string For(double generalDrift, double? conceptDrift)
    {
        if (conceptDrift is not { } concept)
            return generalDrift == 0
                ? "The fine-tune draws exactly as the base model: it changed nothing."
                : $"The fine-tune moved the base model's predictions by {Percent(generalDrift)} on general prompts; give --concept-prompt to see whether it changed its concept more than everything else.";
        if (generalDrift == 0)
            return concept == 0
                ? "The fine-tune draws exactly as the base model on every prompt: it learned nothing."
                : "The fine-tune changed the concept prompts and left the general prompts exactly as they were: a fully targeted change.";
        double ratio = concept / generalDrift;
        var measured = $"The fine-tune changed the concept prompts {Times(ratio)} as much as everything else";
        return ratio switch
        {
            >= Targeted => $"{measured}: it learned mostly the concept.",
            >= General => $"{measured}: it learned the concept, but also changed other prompts noticeably (`calibrate` can give some of that back).",
            _ => $"{measured}: it learned a general change, not the concept (a lower learning rate, fewer steps or prior preservation keep it to the trigger).",
        };
    }

    /// <summary>A share as a percentage with two significant digits (0.0123 → "1.2%").</summary>
    public static string Percent(double share) => Significant(share * 100) + "%";

    static string Times(double ratio) => Significant(ratio) + "×";

    static string Significant(double value) =>
        value == 0 ? "0" : Math.Round(value, Math.Max(0, 1 - (int)Math.Floor(Math.Log10(Math.Abs(value)))), MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture);
}
