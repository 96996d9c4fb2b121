using DiffusionTune.Diffusion.Schedules;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>
/// Which training timesteps each sampler visits, per <see cref="TimestepSpacing"/>. The diffusers scheduler classes
/// disagree in details (rounding, an extra point for DPM-Solver), and a sampler must match its own class to
/// reproduce diffusers' images, so each has its own rule here. All lists run from high noise to low.
/// </summary>
static class InferenceTimesteps
{
    /// <summary>DDIMScheduler: integer timesteps.</summary>
    public static long[] Ddim(NoiseScheduleOptions options, int steps, TimestepSpacing spacing)
    {
        int trainSteps = options.NumTrainTimesteps;
        CheckSteps(steps, trainSteps);
        return spacing switch
        {
            TimestepSpacing.Linspace => Descending(Linspace(0, trainSteps - 1, steps).Select(RoundHalfEven)),
            TimestepSpacing.Leading => Leading(trainSteps / steps, steps, options.StepsOffset),
            TimestepSpacing.Trailing => Trailing(trainSteps, steps),
            _ => throw new ArgumentOutOfRangeException(nameof(spacing), spacing, null),
        };
    }

    /// <summary>EulerDiscreteScheduler and EulerAncestralDiscreteScheduler: <c>linspace</c> is not rounded.</summary>
    public static double[] Euler(NoiseScheduleOptions options, int steps, TimestepSpacing spacing)
    {
        int trainSteps = options.NumTrainTimesteps;
        CheckSteps(steps, trainSteps);
        return spacing switch
        {
            // np.linspace(..., dtype=float32): computed in double, stored as float32.
            TimestepSpacing.Linspace => Linspace(0, trainSteps - 1, steps).Select(t => (double)(float)t).Reverse().ToArray(),
            TimestepSpacing.Leading => Leading(trainSteps / steps, steps, options.StepsOffset).Select(t => (double)t).ToArray(),
            TimestepSpacing.Trailing => Trailing(trainSteps, steps).Select(t => (double)t).ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(spacing), spacing, null),
        };
    }

    /// <summary>DPMSolverMultistepScheduler: spaces steps + 1 points and drops the last (lowest) one.</summary>
    public static long[] DpmSolver(NoiseScheduleOptions options, int steps, TimestepSpacing spacing)
    {
        int trainSteps = options.NumTrainTimesteps;
        CheckSteps(steps, trainSteps);
        return spacing switch
        {
            TimestepSpacing.Linspace => Descending(Linspace(0, trainSteps - 1, steps + 1).Select(RoundHalfEven))[..^1],
            TimestepSpacing.Leading => Leading(trainSteps / (steps + 1), steps + 1, options.StepsOffset)[..^1],
            TimestepSpacing.Trailing => Trailing(trainSteps, steps),
            _ => throw new ArgumentOutOfRangeException(nameof(spacing), spacing, null),
        };
    }

    /// <summary><c>numpy.linspace(start, stop, count)</c> with numpy's arithmetic (i·step + start in double, exact endpoint).</summary>
    public static double[] Linspace(double start, double stop, int count)
    {
        var values = new double[count];
        if (count == 1)
        {
            values[0] = start;
            return values;
        }
        double step = (stop - start) / (count - 1);
        for (int i = 0; i < count; i++) values[i] = i * step + start;
        values[^1] = stop;
        return values;
    }

    /// <summary>numpy's <c>round</c>: halves go to the even neighbour.</summary>
    public static long RoundHalfEven(double value) => (long)Math.Round(value, MidpointRounding.ToEven);

    static long[] Leading(int ratio, int count, int offset) =>
        Enumerable.Range(0, count).Select(i => (long)i * ratio + offset).Reverse().ToArray();

    /// <summary><c>round(arange(T, 0, -T/steps)) - 1</c>.</summary>
    static long[] Trailing(int trainSteps, int steps)
    {
        double ratio = trainSteps / (double)steps;
        int count = (int)Math.Ceiling(trainSteps / ratio);
        return Enumerable.Range(0, count).Select(i => RoundHalfEven(trainSteps - i * ratio) - 1).ToArray();
    }

    static long[] Descending(IEnumerable<long> ascending) => ascending.Reverse().ToArray();

    static void CheckSteps(int steps, int trainSteps)
    {
        if (steps < 1 || steps > trainSteps)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"the number of steps must be between 1 and num_train_timesteps ({trainSteps})");
    }
}
