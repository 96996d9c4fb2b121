namespace DiffusionTune.ShapesWorld;

/// <summary>
/// The exact colours of the world: one base RGB value per <see cref="NamedColor"/>, the seeded jitter around it, and
/// the derived shades (background accent, border, face details).
/// </summary>
public static class Palette
{
    /// <summary>The largest change, per channel, that <see cref="Jitter"/> makes to a base colour.</summary>
    public const int MaxJitter = 8;

    public static readonly Rgb White = new(255, 255, 255);
    public static readonly Rgb Black = new(0, 0, 0);

    // Saturated, well separated hues; white and black stay off the extremes so jitter can go both ways.
    static readonly Rgb[] BaseColors =
    [
        new(215, 35, 40),    // red
        new(245, 140, 25),   // orange
        new(250, 215, 35),   // yellow
        new(45, 165, 65),    // green
        new(40, 90, 215),    // blue
        new(135, 55, 185),   // purple
        new(245, 125, 190),  // pink
        new(242, 242, 242),  // white
        new(28, 28, 28),     // black
    ];

    public static Rgb BaseOf(NamedColor color) => BaseColors[(int)color];

    /// <summary>The base colour with every channel moved by a uniform integer in ±<see cref="MaxJitter"/>.</summary>
    public static Rgb Jitter(NamedColor color, DeterministicRandom random)
    {
        var baseColor = BaseOf(color);
        return new Rgb(JitterChannel(baseColor.R, random), JitterChannel(baseColor.G, random), JitterChannel(baseColor.B, random));
    }

    /// <summary>
    /// The second tone of a patterned background: a lighter shade of a dark colour, a darker shade of a light one,
    /// close enough that the pattern reads as one background colour.
    /// </summary>
    public static Rgb AccentOf(Rgb background) =>
        background.Luma < 140f ? background.MixedWith(White, 0.3f) : background.MixedWith(Black, 0.22f);

    /// <summary>The border of the <see cref="RenderStyle.Bordered"/> style: darker than the fill, lighter for near-black fills.</summary>
    public static Rgb BorderOf(Rgb fill) => fill.Luma < 70f ? fill.MixedWith(White, 0.45f) : fill.MixedWith(Black, 0.5f);

    /// <summary>The colour of the eyes and smile of the <see cref="RenderStyle.Face"/> style on a fill.</summary>
    public static Rgb FaceDetailOn(Rgb fill) => fill.Luma < 110f ? new Rgb(245, 245, 245) : new Rgb(25, 25, 25);

    static byte JitterChannel(byte value, DeterministicRandom random) =>
        (byte)Math.Clamp(value + random.NextInt(-MaxJitter, MaxJitter + 1), 0, 255);
}
