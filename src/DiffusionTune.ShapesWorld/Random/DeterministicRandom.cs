namespace DiffusionTune.ShapesWorld;

/// <summary>
/// A SplitMix64 generator: a fixed, documented algorithm (unlike <see cref="System.Random"/>, whose sequence may change
/// between .NET versions), so the same seed gives the same scenes and captions everywhere. Not thread-safe; give
/// each thread or item its own instance (<see cref="ForItem"/>).
/// </summary>
public sealed class DeterministicRandom(ulong seed)
{
    const ulong GoldenGamma = 0x9E3779B97F4A7C15;

    ulong _state = seed;

    /// <summary>
    /// An independent generator for item <paramref name="index"/> of the run seeded <paramref name="seed"/>; separate
    /// <paramref name="stream"/>s of one item (e.g. scene and caption) do not influence each other.
    /// </summary>
    public static DeterministicRandom ForItem(ulong seed, long index, ulong stream = 0)
    {
        ulong mixed = Mix(seed ^ Mix((ulong)index + GoldenGamma * (stream + 1)));
        return new DeterministicRandom(mixed);
    }

    public ulong NextUInt64()
    {
        _state += GoldenGamma;
        return Mix(_state);
    }

    /// <summary>A uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int NextInt(int minInclusive, int maxExclusive)
    {
        if (maxExclusive <= minInclusive)
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), $"empty range [{minInclusive}, {maxExclusive})");
        ulong range = (ulong)((long)maxExclusive - minInclusive);
        // Rejecting the top partial block of 2^64 keeps every value equally likely.
        ulong limit = ulong.MaxValue - ulong.MaxValue % range;
        ulong value;
        do value = NextUInt64(); while (value >= limit);
        return (int)(minInclusive + (long)(value % range));
    }

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int maxExclusive) => NextInt(0, maxExclusive);

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform float between <paramref name="min"/> and <paramref name="max"/>, from 24 random bits.</summary>
    public float NextFloat(float min, float max) => min + (max - min) * ((NextUInt64() >> 40) * (1f / (1 << 24)));

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    public bool NextBool(double probability) => NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items)
    {
        if (items.Count == 0) throw new ArgumentException("nothing to pick from", nameof(items));
        return items[NextInt(items.Count)];
    }

    // The SplitMix64 output function (Steele, Lea and Flood 2014; the constants are Stafford's "Mix13").
    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
