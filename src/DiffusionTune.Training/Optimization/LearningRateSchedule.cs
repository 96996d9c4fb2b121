namespace DiffusionTune.Training.Optimization;

/// <summary>The shape of the learning rate over a run.</summary>
public enum LearningRateShape
{
    Constant,
    Linear,
    Cosine,
}

/// <summary>
/// A learning-rate schedule as a pure function of the step (linear warm-up, then constant, linear decay or cosine
/// decay to <see cref="MinimumFactor"/>), so a resumed run continues it exactly with nothing but the step count.
/// </summary>
public sealed record LearningRateSchedule(double BaseRate, LearningRateShape Shape, int WarmupSteps, int TotalSteps, double MinimumFactor = 0)
{
    public double RateAt(int step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps) return BaseRate * (step + 1) / WarmupSteps;
        if (Shape == LearningRateShape.Constant) return BaseRate;
        int decaySteps = Math.Max(1, TotalSteps - WarmupSteps);
        double progress = Math.Clamp((double)(step - WarmupSteps) / decaySteps, 0, 1);
        double factor = Shape == LearningRateShape.Linear ? 1 - progress : 0.5 * (1 + Math.Cos(Math.PI * progress));
        return BaseRate * (MinimumFactor + (1 - MinimumFactor) * factor);
    }

    public static LearningRateShape ParseShape(string text) => text.Trim().ToLowerInvariant() switch
    {
        "constant" => LearningRateShape.Constant,
        "linear" => LearningRateShape.Linear,
        "cosine" => LearningRateShape.Cosine,
        _ => throw new ArgumentException($"'{text}' is not a learning-rate schedule: use constant, linear or cosine"),
    };
}
