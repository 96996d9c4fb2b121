namespace DiffusionTune.ShapesWorld;

/// <summary>
/// Draws random <see cref="Scene"/>s within <see cref="SceneSamplerOptions"/>. Every draw is a function of the
/// generator's state alone, so a seed reproduces its scenes exactly. The shape's colour and the background's always
/// pass <see cref="ColorContrast.IsLegible(Rgb, Rgb)"/>.
/// </summary>
public sealed class SceneSampler
{
    const float MinSize = 0.40f, MaxSize = 0.75f;
    // Faces need room for their eyes and smile, so they are never drawn small.
    const float MinFaceSize = 0.60f;
    // On a 16-cell grid a shape needs most of the frame to keep its corners and points.
    const float MinPixelArtSize = 0.72f, MaxPixelArtSize = 0.86f;
    const float FrameMargin = 0.03f;

    readonly SceneSamplerOptions _options;
    // Shape colours with at least one legible background colour, and those background colours.
    readonly NamedColor[] _fillColors;
    readonly Dictionary<NamedColor, NamedColor[]> _backgroundsFor;

    public SceneSampler(SceneSamplerOptions? options = null)
    {
        _options = options ?? SceneSamplerOptions.Pretraining;
        CheckNotEmpty(_options.Shapes, nameof(SceneSamplerOptions.Shapes));
        CheckNotEmpty(_options.Colors, nameof(SceneSamplerOptions.Colors));
        CheckNotEmpty(_options.Patterns, nameof(SceneSamplerOptions.Patterns));
        CheckNotEmpty(_options.BackgroundColors, nameof(SceneSamplerOptions.BackgroundColors));
        CheckNotEmpty(_options.Styles, nameof(SceneSamplerOptions.Styles));

        _backgroundsFor = _options.Colors.Distinct().ToDictionary(
            fill => fill,
            fill => _options.BackgroundColors.Distinct().Where(background => ColorContrast.IsLegible(fill, background)).ToArray());
        _fillColors = [.. _options.Colors.Distinct().Where(fill => _backgroundsFor[fill].Length > 0)];
        if (_fillColors.Length == 0)
            throw new ArgumentException(
                $"no allowed shape colour ({string.Join(", ", _options.Colors)}) contrasts enough with any allowed background colour ({string.Join(", ", _options.BackgroundColors)})",
                nameof(options));
    }

    public SceneSamplerOptions Options => _options;

    public Scene Sample(DeterministicRandom random)
    {
        var shape = random.Pick(_options.Shapes);
        var style = random.Pick(_options.Styles);
        var color = random.Pick(_fillColors);
        var backgroundColor = random.Pick(_backgroundsFor[color]);
        var pattern = random.Pick(_options.Patterns);

        var (fill, backgroundBase) = (Palette.Jitter(color, random), Palette.Jitter(backgroundColor, random));
        // Jitter can push a pair that is legible in base colours just under the threshold; then use the base colours.
        if (!ColorContrast.IsLegible(fill, backgroundBase))
            (fill, backgroundBase) = (Palette.BaseOf(color), Palette.BaseOf(backgroundColor));

        var placement = SamplePlacement(shape, style, random);
        var background = new SceneBackground(
            pattern,
            backgroundColor,
            backgroundBase,
            Palette.AccentOf(backgroundBase),
            Period: SamplePeriod(pattern, random),
            Direction: random.NextInt(8),
            PhaseX: random.NextFloat(0f, 1f),
            PhaseY: random.NextFloat(0f, 1f));
        return new Scene(shape, color, fill, style, placement, background);
    }

    static ShapePlacement SamplePlacement(Shape shape, RenderStyle style, DeterministicRandom random)
    {
        var geometry = ShapeGeometry.Of(shape);
        float size = style switch
        {
            RenderStyle.Face => random.NextFloat(MinFaceSize, MaxSize),
            RenderStyle.PixelArt => random.NextFloat(MinPixelArtSize, MaxPixelArtSize),
            _ => random.NextFloat(MinSize, MaxSize),
        };
        // Keep the whole outline inside the frame: its farthest point is Extent radii from the centre.
        float reach = size / 2 * geometry.Outline.Extent + FrameMargin;
        float centerX = random.NextFloat(reach, 1f - reach), centerY = random.NextFloat(reach, 1f - reach);
        // Pixel-art sprites stand upright: turned, their edges become ragged staircases on so coarse a grid.
        bool rotates = geometry.MaxRotationDegrees > 0 && style != RenderStyle.PixelArt;
        float rotation = rotates ? random.NextFloat(-geometry.MaxRotationDegrees, geometry.MaxRotationDegrees) : 0f;
        return new ShapePlacement(centerX, centerY, size, rotation);
    }

    /// <summary>Repeat lengths (fractions of the frame) that keep each pattern recognisable at 64 px; 0 where none repeats.</summary>
    static float SamplePeriod(BackgroundPattern pattern, DeterministicRandom random) => pattern switch
    {
        BackgroundPattern.Stripes => random.NextFloat(0.16f, 0.24f),
        BackgroundPattern.Dots => random.NextFloat(0.15f, 0.21f),
        BackgroundPattern.Checks => random.NextFloat(0.22f, 0.32f),
        _ => 0f,
    };

    static void CheckNotEmpty<T>(IReadOnlyList<T> values, string name)
    {
        if (values.Count == 0) throw new ArgumentException($"{name} must allow at least one value", name);
    }
}
