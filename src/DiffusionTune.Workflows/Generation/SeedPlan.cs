using System.Globalization;

namespace DiffusionTune.Workflows.Generation;

/// <summary>
/// Which seeds each prompt line's images use. With <c>--seeds 1,5,9</c> or <c>--seed-range 1-8</c> every line makes
/// one image per listed seed (the same seeds for every prompt). Otherwise the seeds run on across the lines: line 0
/// starts at <c>--seed</c> (random when omitted), and each later line starts where the one before it ended, so line i
/// starts at seed + (images of the lines before it); with one prompt this is plain <c>--seed</c>. A line's own
/// <c>seed</c> field (.jsonl) starts that line at its value; the lines after it keep the seeds they would have had.
/// </summary>
public sealed class SeedPlan
{
    /// <summary>Most seeds a list or range may name: enough for any batch, few enough to catch a typo such as 1-10000000.</summary>
    public const int MaxListed = 100_000;

    readonly long _start;
    readonly IReadOnlyList<long>? _listed;

    SeedPlan(long start, IReadOnlyList<long>? listed)
    {
        _start = start;
        _listed = listed;
    }

    /// <summary>The plan of the options given (at most one of <c>--seed</c>, <c>--seeds</c>, <c>--seed-range</c>).</summary>
    /// <exception cref="ArgumentException">More than one is given, or a list or range is malformed.</exception>
    public static SeedPlan From(long? seed, string? seeds, string? seedRange, int batchCount)
    {
        if (new object?[] { seed, seeds, seedRange }.Count(o => o is not null) > 1)
            throw new ArgumentException("give one of --seed, --seeds and --seed-range");
        if ((seeds ?? seedRange) is not null && batchCount != 1)
            throw new ArgumentException("--batch-count does not go with --seeds or --seed-range: the list says how many images each prompt gets");
        if (seeds is not null) return new SeedPlan(0, ParseList(seeds));
        if (seedRange is not null) return new SeedPlan(0, ParseRange(seedRange));
        return new SeedPlan(seed ?? Random.Shared.NextInt64(0, uint.MaxValue), null);
    }

    /// <summary>Parses <c>1,5,9</c>: distinct non-negative whole numbers, in the order given.</summary>
    public static IReadOnlyList<long> ParseList(string text)
    {
        var seeds = new List<long>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
                throw new ArgumentException($"--seeds {text}: '{part}' is not a seed (write --seeds 1,5,9: non-negative whole numbers)");
            if (seeds.Contains(seed)) throw new ArgumentException($"--seeds {text}: seed {seed} is listed twice");
            seeds.Add(seed);
            if (seeds.Count > MaxListed) throw new ArgumentException($"--seeds: more than {MaxListed} seeds");
        }
        return seeds;
    }

    /// <summary>Parses <c>FIRST-LAST</c> (both included, FIRST ≤ LAST, non-negative).</summary>
    public static IReadOnlyList<long> ParseRange(string text)
    {
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            throw new ArgumentException($"--seed-range {text}: write FIRST-LAST, such as 1-8 (non-negative whole numbers)");
        if (last < first) throw new ArgumentException($"--seed-range {text}: the last seed is below the first");
        if (last - first >= MaxListed) throw new ArgumentException($"--seed-range {text}: more than {MaxListed} seeds");
        return [.. Enumerable.Range(0, (int)(last - first + 1)).Select(i => first + i)];
    }

    /// <summary>
    /// The seeds of every line's images, in line order: <c>batchSize × batchCount</c> consecutive seeds (a line's own
    /// batch size overriding <paramref name="batchSize"/>), or the listed seeds.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<long>> Seeds(IReadOnlyList<PromptJob> jobs, int batchSize, int batchCount)
    {
        var lines = new List<IReadOnlyList<long>>();
        long next = _start;
        foreach (var job in jobs)
        {
            int size = job.BatchSize ?? batchSize;
            if (size < 1) throw new ArgumentException($"the batch size must be at least 1 (got {size})");
            long count = (long)size * batchCount;
            if (_listed is not null && job.Seed is null)
            {
                lines.Add(_listed);
                continue;
            }
            lines.Add([.. Enumerable.Range(0, (int)count).Select(i => (job.Seed ?? next) + i)]);
            next += count;
        }
        return lines;
    }
}
