using DiffusionTune.ShapesWorld;

namespace DiffusionTune.Tests.ShapesWorld;

public class DeterministicRandomTests
{
    [Fact]
    public void Produces_the_published_SplitMix64_sequence()
    {
        var random = new DeterministicRandom(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, random.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, random.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, random.NextUInt64());
    }

    [Fact]
    public void Integers_stay_in_range_and_cover_it()
    {
        var random = new DeterministicRandom(7);
        var seen = new HashSet<int>();
        for (int i = 0; i < 2000; i++)
        {
            int value = random.NextInt(-3, 4);
            Assert.InRange(value, -3, 3);
            seen.Add(value);
        }
        Assert.Equal(7, seen.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextInt(5, 5));
    }

    [Fact]
    public void Floats_stay_in_range()
    {
        var random = new DeterministicRandom(3);
        for (int i = 0; i < 2000; i++)
        {
            Assert.InRange(random.NextDouble(), 0.0, 0.9999999999999999);
            Assert.InRange(random.NextFloat(0.25f, 0.5f), 0.25f, 0.5f);
        }
    }

    [Fact]
    public void Items_and_streams_get_independent_reproducible_generators()
    {
        ulong First(ulong seed, long index, ulong stream) => DeterministicRandom.ForItem(seed, index, stream).NextUInt64();

        Assert.Equal(First(1, 5, 0), First(1, 5, 0));
        var values = new[] { First(1, 5, 0), First(1, 6, 0), First(1, 5, 1), First(2, 5, 0), First(1, 0, 0), First(0, 1, 0) };
        Assert.Equal(values.Length, values.Distinct().Count());
    }
}
