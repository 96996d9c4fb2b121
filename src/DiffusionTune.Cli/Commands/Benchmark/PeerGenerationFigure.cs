using System.Globalization;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary>A peer generator's speed at one square image size and guidance scale.</summary>
/// <param name="Size">Image width and height in pixels.</param>
/// <param name="Cfg">Guidance scale (1 = one UNet pass per step).</param>
/// <param name="SecondsPerStep">Seconds per sampler step.</param>
/// <param name="SecondsPerImage">Seconds per whole image (text encoding, sampling, VAE decode), when known.</param>
public sealed record PeerGenerationFigure(int Size, double Cfg, double SecondsPerStep, double? SecondsPerImage)
{
    /// <summary>stable-diffusion.cpp's figures from the team's performance anchors (CPU, 2 threads, Euler, 10 steps, random SD 1.5
    /// weights, f32 compute); measured earlier on this kind of machine, not in the same run.</summary>
    public static IReadOnlyList<PeerGenerationFigure> RecordedStableDiffusionCpp { get; } =
    [
        new(256, 7, 4.1, 54),
        new(256, 1, 2.0, null),
        new(512, 7, 24.5, 285),
        new(512, 1, 12.8, null),
    ];

    /// <summary>Reads <c>SIZE:CFG=SECONDS_PER_STEP[/SECONDS_PER_IMAGE]</c>, e.g. <c>256:7=4.1/54</c>.</summary>
    /// <exception cref="ArgumentException">The text is not of that form.</exception>
    public static PeerGenerationFigure Parse(string text)
    {
        var parts = text.Split('=', 2);
        var key = parts[0].Split(':', 2);
        var values = parts.Length == 2 ? parts[1].Split('/', 2) : [];
        if (key.Length != 2 || values.Length == 0
            || !int.TryParse(key[0], NumberStyles.None, CultureInfo.InvariantCulture, out int size)
            || !double.TryParse(key[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double cfg)
            || !double.TryParse(values[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double perStep) || perStep <= 0)
            throw new ArgumentException($"--peer-seconds-per-step '{text}': expected SIZE:CFG=SECONDS_PER_STEP[/SECONDS_PER_IMAGE], e.g. 256:7=4.1/54");
        double? perImage = null;
        if (values.Length == 2)
        {
            if (!double.TryParse(values[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double image) || image <= 0)
                throw new ArgumentException($"--peer-seconds-per-step '{text}': the seconds per image after '/' must be a positive number");
            perImage = image;
        }
        return new PeerGenerationFigure(size, cfg, perStep, perImage);
    }
}
