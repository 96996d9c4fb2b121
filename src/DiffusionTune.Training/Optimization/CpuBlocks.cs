using static TorchSharp.torch;

namespace DiffusionTune.Training.Optimization;

/// <summary>
/// Splits the elements of one tensor into fixed blocks and runs them on as many .NET workers as libtorch has threads
/// (its own threads are idle while the C# kernels run). Fixed blocks keep results independent of the thread schedule.
/// </summary>
static class CpuBlocks
{
    /// <summary>Elements one worker handles at a time.</summary>
    const long Size = 1 << 16;

    /// <summary>Runs <paramref name="body"/> on [start, end) ranges covering [0, <paramref name="count"/>).</summary>
    public static void For(long count, Action<long, long> body)
    {
        long blocks = Blocks(count);
        if (blocks == 1)
        {
            body(0, count);
            return;
        }
        Parallel.For(0L, blocks, Options(), block => body(block * Size, Math.Min(count, (block + 1) * Size)));
    }

    /// <summary>The sum of <paramref name="body"/> over the blocks, added in block order.</summary>
    public static double Sum(long count, Func<long, long, double> body)
    {
        long blocks = Blocks(count);
        if (blocks == 1) return body(0, count);
        var partial = new double[blocks];
        Parallel.For(0L, blocks, Options(), block => partial[block] = body(block * Size, Math.Min(count, (block + 1) * Size)));
        return partial.Sum();
    }

    static long Blocks(long count) => Math.Max(1, (count + Size - 1) / Size);

    static ParallelOptions Options() => new() { MaxDegreeOfParallelism = Math.Max(1, get_num_threads()) };
}
