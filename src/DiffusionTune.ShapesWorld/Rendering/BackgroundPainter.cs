namespace DiffusionTune.ShapesWorld;

/// <summary>
/// Paints a <see cref="SceneBackground"/>. Patterns are laid out in frame units (0..1), so a scene looks the same
/// at every size; their edges are signed distances like the shapes', so they anti-alias the same way.
/// </summary>
static class BackgroundPainter
{
    const float DotRadius = 0.27f;
    // Pixel art repeats every pattern on a 4-cell grid (2-cell stripes and checks, 2×2 dots), with phases snapped
    // to whole cells, so that no cell centre lands on a pattern edge.
    const int PixelArtPeriodCells = 4;

    // Direction 0..7 in 45° steps clockwise from +x (y points down). Diagonals are (±1, ±1), not unit vectors, so
    // that diagonal stripes repeat every Period along both axes and land on whole cells in pixel art.
    static readonly (int X, int Y)[] Directions = [(1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1)];

    /// <param name="canvas">The canvas to cover.</param>
    /// <param name="background">The background to paint.</param>
    /// <param name="pixelArt">Paint hard-edged on a pixel-art grid (the canvas is the grid) instead of anti-aliased.</param>
    public static void Paint(Canvas canvas, SceneBackground background, bool pixelArt)
    {
        int size = canvas.Size;
        bool antialias = !pixelArt;
        Rgb baseColor = background.Base, accent = background.Accent;
        float period = background.Period, phaseX = background.PhaseX, phaseY = background.PhaseY;
        if (pixelArt)
        {
            period = (float)PixelArtPeriodCells / size;
            phaseX = MathF.Round(phaseX * PixelArtPeriodCells) / PixelArtPeriodCells;
            phaseY = MathF.Round(phaseY * PixelArtPeriodCells) / PixelArtPeriodCells;
        }
        // Pattern distances are in periods; this turns them into canvas pixels.
        float pixelsPerPeriod = period * size;
        var (dx, dy) = Directions[background.Direction];
        for (int y = 0; y < size; y++)
        {
            float v = (y + 0.5f) / size;
            for (int x = 0; x < size; x++)
            {
                float u = (x + 0.5f) / size;
                float accentAmount = background.Pattern switch
                {
                    BackgroundPattern.Plain => 0f,
                    BackgroundPattern.Gradient => GradientPosition(u, v, dx, dy),
                    BackgroundPattern.Stripes => Coverage.Of(BandDistance((u * dx + v * dy) / period + phaseX) * pixelsPerPeriod, antialias),
                    BackgroundPattern.Dots => Coverage.Of(DotDistance(u / period + phaseX, v / period + phaseY) * pixelsPerPeriod, antialias),
                    BackgroundPattern.Checks => Checker(
                        Coverage.Of(BandDistance(u / period + phaseX) * pixelsPerPeriod, antialias),
                        Coverage.Of(BandDistance(v / period + phaseY) * pixelsPerPeriod, antialias)),
                    _ => throw new ArgumentOutOfRangeException(nameof(background), background.Pattern, "unknown background pattern"),
                };
                canvas.Set(x, y,
                    baseColor.R + (accent.R - baseColor.R) * accentAmount,
                    baseColor.G + (accent.G - baseColor.G) * accentAmount,
                    baseColor.B + (accent.B - baseColor.B) * accentAmount);
            }
        }
    }

    /// <summary>0 at the frame corner the direction points away from, 1 at the opposite one.</summary>
    static float GradientPosition(float u, float v, int dx, int dy) =>
        Math.Clamp(0.5f + ((u - 0.5f) * dx + (v - 0.5f) * dy) / (Math.Abs(dx) + Math.Abs(dy)), 0f, 1f);

    /// <summary>Signed distance, in periods, to a band half a period wide centred on every half-integer coordinate.</summary>
    static float BandDistance(float coordinate) => MathF.Abs(Fraction(coordinate) - 0.5f) - 0.25f;

    /// <summary>Signed distance, in periods, to a dot centred in every unit cell.</summary>
    static float DotDistance(float a, float b)
    {
        float fa = Fraction(a) - 0.5f, fb = Fraction(b) - 0.5f;
        return MathF.Sqrt(fa * fa + fb * fb) - DotRadius;
    }

    /// <summary>Exclusive or of two band coverages: checks where exactly one band covers the pixel.</summary>
    static float Checker(float across, float down) => across + down - 2 * across * down;

    static float Fraction(float value) => value - MathF.Floor(value);
}
