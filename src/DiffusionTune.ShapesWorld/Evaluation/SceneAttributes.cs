using System.Text.Json;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>
/// Facts about each <see cref="SceneAttribute"/>: how many classes it has, their names, and which class a prompt
/// asks for. Class indices are the enum values of <see cref="Shape"/>, <see cref="NamedColor"/>,
/// <see cref="BackgroundPattern"/> and <see cref="RenderStyle"/>; names are those values in snake case
/// ("outline_only"), the form reports and saved classifier configs use.
/// </summary>
public static class SceneAttributes
{
    /// <summary>The attribute's name in snake case: "shape", "background_color".</summary>
    public static string Name(SceneAttribute attribute) => JsonNamingPolicy.SnakeCaseLower.ConvertName(attribute.ToString());

    /// <summary>The names of the attribute's classes, in class-index order.</summary>
    public static IReadOnlyList<string> ClassNames(SceneAttribute attribute) => attribute switch
    {
        SceneAttribute.Shape => Names<Shape>(),
        SceneAttribute.Color or SceneAttribute.BackgroundColor => Names<NamedColor>(),
        SceneAttribute.Pattern => Names<BackgroundPattern>(),
        SceneAttribute.Style => Names<RenderStyle>(),
        _ => throw new ArgumentOutOfRangeException(nameof(attribute), attribute, "unknown scene attribute"),
    };

    /// <summary>
    /// The class index <paramref name="prompt"/> asks for, or null where it states nothing about the attribute
    /// (a prompt without style words states no style, see <see cref="PromptAttributes"/>).
    /// </summary>
    public static int? Stated(PromptAttributes prompt, SceneAttribute attribute) => attribute switch
    {
        SceneAttribute.Shape => (int?)prompt.Shape,
        SceneAttribute.Color => (int?)prompt.Color,
        SceneAttribute.Pattern => (int?)prompt.Pattern,
        SceneAttribute.BackgroundColor => (int?)prompt.BackgroundColor,
        SceneAttribute.Style => (int?)prompt.Style,
        _ => throw new ArgumentOutOfRangeException(nameof(attribute), attribute, "unknown scene attribute"),
    };

    /// <summary>The attributes <paramref name="prompt"/> states, in <see cref="SceneLabels.Attributes"/> order.</summary>
    public static IReadOnlyList<SceneAttribute> StatedBy(PromptAttributes prompt) =>
        [.. SceneLabels.Attributes.Where(attribute => Stated(prompt, attribute) is not null)];

    internal static string ValueName<TEnum>(TEnum value) where TEnum : struct, Enum =>
        JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    static string[] Names<TEnum>() where TEnum : struct, Enum => [.. Enum.GetValues<TEnum>().Select(ValueName)];
}
