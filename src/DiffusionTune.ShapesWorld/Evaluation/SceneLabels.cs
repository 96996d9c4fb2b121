namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>
/// The value of every <see cref="SceneAttribute"/> for one image: the truth of a rendered scene, or what
/// <see cref="ShapesClassifier"/> sees in a generated image.
/// </summary>
/// <param name="Shape">The shape.</param>
/// <param name="Color">The colour of the shape.</param>
/// <param name="Pattern">The background pattern.</param>
/// <param name="BackgroundColor">The background colour.</param>
/// <param name="Style">How the shape is drawn.</param>
public sealed record SceneLabels(Shape Shape, NamedColor Color, BackgroundPattern Pattern, NamedColor BackgroundColor, RenderStyle Style)
{
    /// <summary>The attributes every scene has, in head order.</summary>
    public static IReadOnlyList<SceneAttribute> Attributes { get; } = Enum.GetValues<SceneAttribute>();

    /// <summary>The labels of a rendered scene.</summary>
    public static SceneLabels Of(Scene scene) =>
        new(scene.Shape, scene.Color, scene.Background.Pattern, scene.Background.Color, scene.Style);

    /// <summary>Builds labels from one class index per attribute, in <see cref="Attributes"/> order.</summary>
    public static SceneLabels FromIndices(IReadOnlyList<int> indices) =>
        new((Shape)indices[0], (NamedColor)indices[1], (BackgroundPattern)indices[2], (NamedColor)indices[3], (RenderStyle)indices[4]);

    /// <summary>The class index of <paramref name="attribute"/>: its enum value.</summary>
    public int IndexOf(SceneAttribute attribute) => attribute switch
    {
        SceneAttribute.Shape => (int)Shape,
        SceneAttribute.Color => (int)Color,
        SceneAttribute.Pattern => (int)Pattern,
        SceneAttribute.BackgroundColor => (int)BackgroundColor,
        SceneAttribute.Style => (int)Style,
        _ => throw new ArgumentOutOfRangeException(nameof(attribute), attribute, "unknown scene attribute"),
    };

    /// <summary>The value of <paramref name="attribute"/> in lower case, as the report prints it ("star", "red", "stripes").</summary>
    public string NameOf(SceneAttribute attribute) => attribute switch
    {
        SceneAttribute.Shape => SceneAttributes.ValueName(Shape),
        SceneAttribute.Color => SceneAttributes.ValueName(Color),
        SceneAttribute.Pattern => SceneAttributes.ValueName(Pattern),
        SceneAttribute.BackgroundColor => SceneAttributes.ValueName(BackgroundColor),
        SceneAttribute.Style => SceneAttributes.ValueName(Style),
        _ => throw new ArgumentOutOfRangeException(nameof(attribute), attribute, "unknown scene attribute"),
    };
}
