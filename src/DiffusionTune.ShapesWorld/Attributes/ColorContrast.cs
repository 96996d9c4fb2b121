namespace DiffusionTune.ShapesWorld;

/// <summary>
/// The rule that keeps every shape legible: its fill must differ enough from both tones of the background.
/// The measure is the "redmean" weighted RGB distance, a cheap perceptual approximation made of plain arithmetic
/// and a square root, so the decision is bit-identical on every machine.
/// </summary>
public static class ColorContrast
{
    /// <summary>
    /// The least distance allowed between a fill and each background tone. It keeps hue neighbours of similar
    /// lightness apart (orange on yellow, pink on purple) while allowing e.g. blue on purple.
    /// </summary>
    public const double MinimumDistance = 150;

    /// <summary>Redmean distance: 0 for equal colours, about 765 for black against white.</summary>
    public static double Distance(Rgb a, Rgb b)
    {
        double meanRed = (a.R + b.R) / 2.0;
        double dr = a.R - b.R, dg = a.G - b.G, db = a.B - b.B;
        return Math.Sqrt((2 + meanRed / 256) * dr * dr + 4 * dg * dg + (2 + (255 - meanRed) / 256) * db * db);
    }

    /// <summary>True when <paramref name="fill"/> stands out against <paramref name="background"/> and its accent.</summary>
    public static bool IsLegible(Rgb fill, Rgb background) =>
        Distance(fill, background) >= MinimumDistance && Distance(fill, Palette.AccentOf(background)) >= MinimumDistance;

    /// <summary>The rule applied to the base colours of two names: whether the sampler may pair them at all.</summary>
    public static bool IsLegible(NamedColor fill, NamedColor background) => IsLegible(Palette.BaseOf(fill), Palette.BaseOf(background));
}
