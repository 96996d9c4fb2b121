using System.Diagnostics;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary>
/// Tracks the peak resident memory of this process while it is alive, by sampling the working set every few
/// milliseconds (the kernel's own high-water mark cannot be reset in every sandbox, so it cannot separate phases).
/// </summary>
public sealed class PeakMemory : IDisposable
{
    readonly Thread _sampler;
    volatile bool _stopped;
    long _peak;

    public PeakMemory()
    {
        _peak = Current();
        _sampler = new Thread(() =>
        {
            while (!_stopped)
            {
                long now = Current();
                if (now > Interlocked.Read(ref _peak)) Interlocked.Exchange(ref _peak, now);
                Thread.Sleep(5);
            }
        }) { IsBackground = true, Name = "peak memory sampler" };
        _sampler.Start();
    }

    /// <summary>The largest resident size seen so far, in bytes.</summary>
    public long PeakBytes
    {
        get
        {
            long now = Current();
            return Math.Max(now, Interlocked.Read(ref _peak));
        }
    }

    static long Current()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    public void Dispose()
    {
        _stopped = true;
        _sampler.Join();
    }
}
