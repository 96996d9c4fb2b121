namespace DiffusionTune.ShapesWorld;

/// <summary>
/// Which attribute values <see cref="SceneSampler"/> may choose; each list must be non-empty. The defaults allow
/// everything except the held-out styles, i.e. pretraining data. Restrict a list to fix an attribute, e.g.
/// <c>SceneSamplerOptions.Pretraining with { Shapes = [Shape.Star], Colors = [NamedColor.Red] }</c> for red stars only.
/// </summary>
public sealed record SceneSamplerOptions
{
    /// <summary>Every shape, colour, pattern and background colour; pretraining styles only.</summary>
    public static SceneSamplerOptions Pretraining { get; } = new();

    /// <summary>Like <see cref="Pretraining"/> but with only the held-out styles: material for fine-tuning.</summary>
    public static SceneSamplerOptions HeldOut { get; } = new() { Styles = RenderStyle.HeldOut };

    public IReadOnlyList<Shape> Shapes { get; init; } = Enum.GetValues<Shape>();

    public IReadOnlyList<NamedColor> Colors { get; init; } = Enum.GetValues<NamedColor>();

    public IReadOnlyList<BackgroundPattern> Patterns { get; init; } = Enum.GetValues<BackgroundPattern>();

    public IReadOnlyList<NamedColor> BackgroundColors { get; init; } = Enum.GetValues<NamedColor>();

    public IReadOnlyList<RenderStyle> Styles { get; init; } = RenderStyle.Pretraining;
}
