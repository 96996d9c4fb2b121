namespace DiffusionTune.ShapesWorld;

/// <summary>
/// One image of the shapes world, fully determined: <see cref="SceneRenderer"/> draws it the same way every time,
/// and <see cref="CaptionWriter"/> describes it.
/// </summary>
/// <param name="Shape">The shape.</param>
/// <param name="Color">The name of the shape's colour.</param>
/// <param name="Fill">The exact (jittered) fill colour.</param>
/// <param name="Style">How the shape is drawn.</param>
/// <param name="Placement">Position, size and rotation of the shape.</param>
/// <param name="Background">The background.</param>
public sealed record Scene(
    Shape Shape,
    NamedColor Color,
    Rgb Fill,
    RenderStyle Style,
    ShapePlacement Placement,
    SceneBackground Background);
