namespace DiffusionTune.ShapesWorld;

/// <summary>
/// The background of a scene: its pattern and colour name, the exact tones, and the pattern's layout.
/// </summary>
/// <param name="Pattern">The pattern.</param>
/// <param name="Color">The name of the background colour.</param>
/// <param name="Base">The jittered background colour.</param>
/// <param name="Accent">The second tone of the pattern (<see cref="Palette.AccentOf"/> of <paramref name="Base"/>).</param>
/// <param name="Period">
/// Repeat length of stripes, dots and checks along the frame's axes (diagonal stripes included), as a fraction of the
/// frame; 0 for plain and gradient. Pixel art ignores it and repeats every pattern on 4 grid cells.
/// </param>
/// <param name="Direction">
/// Direction of stripes and gradients in 45° steps clockwise (0 = along +x, 2 = along +y, up to 7); checks and dots ignore it.
/// </param>
/// <param name="PhaseX">Shift of stripes, dots and checks along their first axis, in periods (0..1).</param>
/// <param name="PhaseY">Shift of dots and checks along y, in periods (0..1).</param>
public sealed record SceneBackground(
    BackgroundPattern Pattern,
    NamedColor Color,
    Rgb Base,
    Rgb Accent,
    float Period,
    int Direction,
    float PhaseX,
    float PhaseY);
