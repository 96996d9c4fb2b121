namespace DiffusionTune.Training.Data;

/// <summary>
/// A SplitMix64 generator whose start is derived from (run seed, purpose, keys) alone. Every random choice of the data
/// pipeline (order, flip, crop, caption dropout) is such a pure function of its keys, so a run resumed at any step
/// makes exactly the choices a straight run makes, with no generator state to save. SplitMix64 is a fixed, published
/// algorithm, unlike <see cref="System.Random"/>, whose sequence may change between .NET versions.
/// </summary>
sealed class KeyedRandom
{
    const ulong GoldenGamma = 0x9E3779B97F4A7C15;

    ulong _state;

    public KeyedRandom(long seed, RandomPurpose purpose, long first, long second = 0)
    {
        ulong state = Mix((ulong)seed + GoldenGamma * (ulong)purpose);
        state = Mix(state ^ Mix((ulong)first + GoldenGamma));
        _state = Mix(state ^ Mix((ulong)second + unchecked(2 * GoldenGamma)));
    }

    public ulong NextUInt64()
    {
        _state += GoldenGamma;
        return Mix(_state);
    }

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        ulong range = (ulong)maxExclusive;
        ulong limit = ulong.MaxValue - ulong.MaxValue % range;
        ulong value;
        do value = NextUInt64(); while (value >= limit);
        return (int)(value % range);
    }

    /// <summary>A uniform double in [0, 1) from 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    // SplitMix64's finaliser (Steele, Lea and Flood 2014).
    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
