namespace DiffusionTune.Training.Data;

/// <summary>
/// How images become training pixels: Lanczos-resized to cover the target, then cropped to it (centre or random),
/// optionally mirrored at random. Without buckets the target is <see cref="Resolution"/>² for every image; with
/// <see cref="UseBuckets"/> each image goes to the <see cref="AspectRatioBuckets"/> size closest to its aspect ratio.
/// </summary>
public sealed record ImagePreprocessing
{
    /// <summary>The square side in pixels (512 for SD 1.x); with buckets, every bucket has about this side squared as area.</summary>
    public required int Resolution { get; init; }

    /// <summary>Centre or random crop.</summary>
    public CropMode Crop { get; init; } = CropMode.Center;

    /// <summary>Mirror each item left-to-right with probability ½ (drawn per item and epoch from the run seed).</summary>
    public bool RandomFlip { get; init; }

    /// <summary>Group images by aspect ratio into buckets instead of cropping every one square.</summary>
    public bool UseBuckets { get; init; }

    /// <summary>
    /// Bucket sides are multiples of this: 64 for SD (8 latent pixels of its 8× VAE). Models whose VAE downsamples
    /// by another factor f want 8·f.
    /// </summary>
    public int BucketStep { get; init; } = 64;

    /// <summary>The shortest bucket side; null for half the resolution (rounded down to the step, at least one step).</summary>
    public int? MinBucketSide { get; init; }

    /// <summary>The longest bucket side; null for twice the resolution.</summary>
    public int? MaxBucketSide { get; init; }

    /// <summary>The shortest bucket side in effect.</summary>
    public int EffectiveMinBucketSide => MinBucketSide ?? Math.Max(BucketStep, Resolution / 2 / BucketStep * BucketStep);

    /// <summary>The longest bucket side in effect.</summary>
    public int EffectiveMaxBucketSide => MaxBucketSide ?? Resolution * 2 / BucketStep * BucketStep;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the first setting that cannot work with a VAE that downsamples
    /// by <paramref name="vaeScaleFactor"/> (every image side must be a whole number of latent pixels).
    /// </summary>
    public void Validate(int vaeScaleFactor)
    {
        if (Resolution <= 0 || Resolution % vaeScaleFactor != 0)
            throw new ArgumentException($"the resolution must be a positive multiple of {vaeScaleFactor} for this model's VAE (got {Resolution})");
        if (!UseBuckets) return;
        if (BucketStep <= 0 || BucketStep % vaeScaleFactor != 0)
            throw new ArgumentException($"the bucket step must be a positive multiple of {vaeScaleFactor} for this model's VAE (got {BucketStep}); {8 * vaeScaleFactor} is usual");
        int min = EffectiveMinBucketSide, max = EffectiveMaxBucketSide;
        if (min % BucketStep != 0 || max % BucketStep != 0)
            throw new ArgumentException($"the bucket sides {min} and {max} must be multiples of the bucket step {BucketStep}");
        if (min > Resolution || max < Resolution)
            throw new ArgumentException($"the bucket sides must span the resolution: {min} ≤ {Resolution} ≤ {max} does not hold");
    }

    /// <summary>The settings in one line, for logs.</summary>
    public override string ToString() =>
        $"resolution={Resolution}, crop={Crop}, random flip={RandomFlip}, " +
        (UseBuckets ? $"buckets step {BucketStep} sides {EffectiveMinBucketSide}..{EffectiveMaxBucketSide}" : "no buckets");
}
