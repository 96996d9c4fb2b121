using DiffusionTune.Diffusion.Schedules;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>
/// Noise levels in the σ parameterisation x = x₀ + σ·ε (σ = √((1−ᾱ)/ᾱ)) that the Euler-style and DPM-Solver
/// samplers step through: the per-training-timestep table, its interpolation, the Karras et al. spacing, and the
/// inverse map from σ back to a (fractional) training timestep. The arithmetic follows diffusers' float32/float64
/// mix so the tables agree with it to the last bits that matter.
/// </summary>
static class SigmaTables
{
    /// <summary>ρ of "Elucidating the Design Space of Diffusion-Based Generative Models" (Karras et al.).</summary>
    const double KarrasRho = 7.0;

    /// <summary>Stands in for ᾱ = 0 at the last timestep of a zero-terminal-SNR schedule, whose σ would be infinite.</summary>
    const float ZeroSnrAlphaCumprod = 1f / (1 << 24);

    /// <summary>σ for every training timestep, in float32 as diffusers computes it.</summary>
    public static float[] Training(NoiseSchedule schedule)
    {
        var sigmas = new float[schedule.NumTrainTimesteps];
        for (int t = 0; t < sigmas.Length; t++)
        {
            float alphaBar = schedule.AlphasCumprod[t];
            if (alphaBar == 0f) alphaBar = ZeroSnrAlphaCumprod;
            sigmas[t] = MathF.Sqrt((1f - alphaBar) / alphaBar);
        }
        return sigmas;
    }

    /// <summary>σ at a fractional training timestep by linear interpolation (<c>numpy.interp</c> over t = 0 … T−1).</summary>
    public static double Interpolate(float[] trainingSigmas, double timestep)
    {
        if (timestep <= 0) return trainingSigmas[0];
        if (timestep >= trainingSigmas.Length - 1) return trainingSigmas[^1];
        int low = (int)Math.Floor(timestep);
        double slope = (double)trainingSigmas[low + 1] - trainingSigmas[low];
        return slope * (timestep - low) + trainingSigmas[low];
    }

    /// <summary><paramref name="count"/> noise levels from σ<sub>max</sub> down to σ<sub>min</sub>, evenly spaced in σ<sup>1/ρ</sup>.</summary>
    public static double[] Karras(double sigmaMin, double sigmaMax, int count)
    {
        double minInvRho = Math.Pow(sigmaMin, 1 / KarrasRho);
        double maxInvRho = Math.Pow(sigmaMax, 1 / KarrasRho);
        return InferenceTimesteps.Linspace(0, 1, count)
            .Select(ramp => Math.Pow(maxInvRho + ramp * (minInvRho - maxInvRho), KarrasRho))
            .ToArray();
    }

    /// <summary>log σ per training timestep, in float32 as diffusers keeps it (<c>np.log</c> of a float32 array).</summary>
    public static float[] LogSigmas(float[] trainingSigmas) => trainingSigmas.Select(sigma => MathF.Log(sigma)).ToArray();

    /// <summary>
    /// The fractional training timestep whose σ is <paramref name="sigma"/>: linear interpolation in log σ between the
    /// two neighbouring training timesteps, clamped to the table's ends.
    /// </summary>
    public static double SigmaToTimestep(double sigma, float[] logSigmas)
    {
        double logSigma = Math.Log(Math.Max(sigma, 1e-10));
        // The last training timestep whose log σ does not exceed logSigma, kept where a next one exists.
        int below = 0;
        while (below + 1 < logSigmas.Length && logSigmas[below + 1] <= logSigma) below++;
        int low = Math.Min(below, logSigmas.Length - 2);
        double lowLog = logSigmas[low], highLog = logSigmas[low + 1];
        double weight = Math.Clamp((lowLog - logSigma) / (lowLog - highLog), 0, 1);
        return (1 - weight) * low + weight * (low + 1);
    }
}
