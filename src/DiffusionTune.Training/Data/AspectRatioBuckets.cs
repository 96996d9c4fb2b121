namespace DiffusionTune.Training.Data;

/// <summary>
/// kohya-style aspect-ratio buckets: every size whose sides are multiples of the step, lie between the minimum and
/// maximum side, and whose area is at most resolution², taking for each width the tallest height that fits (and its
/// transpose). An image goes to the bucket closest to its aspect ratio, so it loses little to cropping while every
/// batch, drawn from one bucket, has one size.
/// </summary>
public sealed class AspectRatioBuckets
{
    AspectRatioBuckets(IReadOnlyList<ImageSize> sizes) => Sizes = sizes;

    /// <summary>The bucket sizes, by width then height.</summary>
    public IReadOnlyList<ImageSize> Sizes { get; }

    /// <summary>The buckets of <paramref name="preprocessing"/> (which must use buckets and be valid).</summary>
    public static AspectRatioBuckets Create(ImagePreprocessing preprocessing)
    {
        if (!preprocessing.UseBuckets) throw new ArgumentException("the preprocessing does not use buckets", nameof(preprocessing));
        int step = preprocessing.BucketStep, min = preprocessing.EffectiveMinBucketSide, max = preprocessing.EffectiveMaxBucketSide;
        long area = (long)preprocessing.Resolution * preprocessing.Resolution;
        var sizes = new SortedSet<ImageSize>(Comparer<ImageSize>.Create((a, b) => a.Width != b.Width ? a.Width.CompareTo(b.Width) : a.Height.CompareTo(b.Height)));
        for (int width = min; width <= max; width += step)
        {
            int height = (int)Math.Min(max, area / width / step * step);
            if (height < min) continue;
            sizes.Add(new ImageSize(width, height));
            sizes.Add(new ImageSize(height, width));
        }
        return new AspectRatioBuckets(sizes.ToList());
    }

    /// <summary>
    /// The bucket for an image of <paramref name="size"/>: the nearest aspect ratio, measured as the distance of the
    /// log ratios (so 2:1 and 1:2 are equally far from square); ties go to the larger area, then the narrower bucket.
    /// </summary>
    public ImageSize Closest(ImageSize size)
    {
        double target = Math.Log(size.AspectRatio);
        var best = Sizes[0];
        double bestDistance = double.PositiveInfinity;
        foreach (var bucket in Sizes)
        {
            double distance = Math.Abs(Math.Log(bucket.AspectRatio) - target);
            // Sizes are sorted by width, so on a tie in distance and area the narrower bucket, seen first, stays.
            if (distance < bestDistance - 1e-12 || (Math.Abs(distance - bestDistance) <= 1e-12 && bucket.Area > best.Area))
            {
                best = bucket;
                bestDistance = distance;
            }
        }
        return best;
    }
}
