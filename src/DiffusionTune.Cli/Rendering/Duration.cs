using System.Globalization;

namespace DiffusionTune.Cli.Rendering;

/// <summary>How timings read in reports: seconds with one decimal (<c>12.3 s</c>).</summary>
public static class Duration
{
    public static string Seconds(TimeSpan time) => $"{time.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s";
}
