namespace DiffusionTune.Training.Optimization;

/// <summary>
/// Dynamic loss scaling for fp16 training, PyTorch's GradScaler policy. fp16 keeps about 3 significant digits down to
/// 6e-8 and overflows above 65504, so small gradients underflow to zero unless the loss is multiplied by a large
/// <see cref="Scale"/> before backward (the optimizer divides the gradients by it again, before clipping). The scale
/// starts at 65536; a step whose gradients overflow (inf or NaN) is skipped and the scale halved; after
/// <see cref="GrowthInterval"/> good steps in a row it doubles, to find the largest scale that does not overflow.
/// </summary>
public sealed class DynamicLossScaler
{
    /// <summary>The first scale, 2^16 (PyTorch's default).</summary>
    public const double InitialScale = 65536;

    /// <summary>Good steps in a row before the scale doubles (PyTorch's default).</summary>
    public const int DefaultGrowthInterval = 2000;

    /// <summary>
    /// The smallest scale. Gradients that still overflow at 1 overflow fp16 without any scaling: backing off further
    /// would only skip every step, so such an overflow is reported as a divergence instead.
    /// </summary>
    public const double MinimumScale = 1;

    /// <summary>What the optimizer does with a step's gradients.</summary>
    public enum Decision
    {
        /// <summary>Finite gradients: apply the update.</summary>
        Apply,

        /// <summary>Overflow: skip the update; the scale has been halved.</summary>
        Skip,

        /// <summary>Overflow at <see cref="MinimumScale"/>: the gradients themselves are not finite in fp16.</summary>
        Diverged,
    }

    /// <param name="growthInterval">Good steps in a row before the scale doubles.</param>
    public DynamicLossScaler(int growthInterval = DefaultGrowthInterval)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(growthInterval);
        GrowthInterval = growthInterval;
    }

    /// <summary>What the loss is multiplied by before backward (always a power of two, so scaling is exact).</summary>
    public double Scale { get; private set; } = InitialScale;

    /// <summary>Good steps since the scale last changed.</summary>
    public int GoodSteps { get; private set; }

    /// <summary>Good steps in a row before the scale doubles.</summary>
    public int GrowthInterval { get; }

    /// <summary>Takes one step's verdict on its unscaled gradients and adjusts the scale for the next step.</summary>
    public Decision Update(bool gradientsFinite)
    {
        if (gradientsFinite)
        {
            if (++GoodSteps >= GrowthInterval)
            {
                Scale *= 2;
                GoodSteps = 0;
            }
            return Decision.Apply;
        }
        GoodSteps = 0;
        if (Scale <= MinimumScale) return Decision.Diverged;
        Scale = Math.Max(Scale / 2, MinimumScale);
        return Decision.Skip;
    }

    /// <summary>Writes the scale and the good-step count, for an exact resume.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(Scale);
        writer.Write(GoodSteps);
    }

    /// <summary>Restores what <see cref="Save"/> wrote.</summary>
    public void Load(BinaryReader reader)
    {
        double scale = reader.ReadDouble();
        int goodSteps = reader.ReadInt32();
        if (!(scale >= MinimumScale && double.IsFinite(scale)) || goodSteps < 0 || goodSteps >= GrowthInterval)
            throw new InvalidDataException($"the saved loss scaler state (scale {scale}, {goodSteps} good steps) is not valid");
        Scale = scale;
        GoodSteps = goodSteps;
    }
}
