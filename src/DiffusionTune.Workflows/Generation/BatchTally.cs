using System.Diagnostics;

namespace DiffusionTune.Workflows.Generation;

/// <summary>
/// How far a batch of images has come: made, skipped (already there), left, and from the images made so far the rate
/// and the time left; the terminal shows it after every batch and the run manifest records it.
/// </summary>
public sealed class BatchTally(int planned)
{
    readonly Stopwatch _clock = Stopwatch.StartNew();

    public int Planned { get; } = planned;

    public int Made { get; private set; }

    public int Skipped { get; private set; }

    public int Left => Planned - Made - Skipped;

    /// <summary>Images made per second of this run; 0 before the first.</summary>
    public double ImagesPerSecond => Made == 0 ? 0 : Made / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);

    /// <summary>The time the images left will take at <see cref="ImagesPerSecond"/> (those already there count as nothing to do); null before the first image.</summary>
    public TimeSpan? Remaining => Made == 0 ? null : TimeSpan.FromSeconds(Left / ImagesPerSecond);

    public void AddMade(int count) => Made += count;

    public void AddSkipped(int count) => Skipped += count;

    /// <summary><c>images 12/40 (2 already there) · 0.41 images/s · about 00:01:08 left</c>.</summary>
    public string Line()
    {
        var skipped = Skipped > 0 ? $" ({Skipped} already there)" : "";
        var rate = Made > 0 ? $" · {ImagesPerSecond:F2} images/s" : "";
        var left = Remaining is { } remaining && Left > 0 ? $" · about {remaining:hh\\:mm\\:ss} left" : "";
        return $"images {Made + Skipped}/{Planned}{skipped}{rate}{left}";
    }

    /// <summary>The figures for the run manifest.</summary>
    public object Figures(bool finished) => new
    {
        finished,
        planned = Planned,
        made = Made,
        skipped = Skipped,
        left = Left,
        seconds = Math.Round(_clock.Elapsed.TotalSeconds, 3),
        images_per_second = Math.Round(ImagesPerSecond, 4),
        eta_seconds = finished ? 0 : Remaining is { } remaining ? Math.Round(remaining.TotalSeconds, 1) : (double?)null,
    };
}
