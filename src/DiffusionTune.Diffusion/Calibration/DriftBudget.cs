using System.Globalization;

namespace DiffusionTune.Diffusion.Calibration;

/// <summary>
/// How much general drift a calibrated model may keep: an absolute relative drift (<c>0.5%</c> or <c>0.005</c>, the
/// "rel." figure of the damage report) or a share of the tuned model's own general drift (<c>0.25x</c>).
/// </summary>
public sealed record DriftBudget(double Value, bool RelativeToTuned)
{
    /// <summary>The drift limit for a fine-tune whose own general drift is <paramref name="tunedDrift"/>.</summary>
    public double Limit(double tunedDrift) => RelativeToTuned ? Value * tunedDrift : Value;

    /// <summary>Parses <c>0.5%</c>, <c>0.005</c> or <c>0.25x</c>.</summary>
    /// <exception cref="ArgumentException">Not one of those forms, or not a non-negative finite number.</exception>
    public static DriftBudget Parse(string text)
    {
        var trimmed = text.Trim();
        var (number, scale, relative) = trimmed switch
        {
            _ when trimmed.EndsWith('%') => (trimmed[..^1], 0.01, false),
            _ when trimmed.EndsWith('x') || trimmed.EndsWith('X') => (trimmed[..^1], 1.0, true),
            _ => (trimmed, 1.0, false),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value < 0)
            throw new ArgumentException($"drift budget '{text}' is not a non-negative number with an optional % (a relative drift, e.g. 0.5%) or x (a share of the tuned model's drift, e.g. 0.25x)");
        return new DriftBudget(value * scale, relative);
    }

    public override string ToString() => RelativeToTuned
        ? $"{Value.ToString("0.###", CultureInfo.InvariantCulture)}× the tuned drift"
        : $"{(Value * 100).ToString("0.####", CultureInfo.InvariantCulture)}% relative drift";
}
