namespace DiffusionTune.ShapesWorld;

/// <summary>
/// The attributes a caption or prompt states; null where it says nothing about one. A prompt without style words
/// states no style (the world's captions leave the default <see cref="RenderStyle.Flat"/> unsaid), and "on a blue
/// background" states a background colour but no pattern.
/// </summary>
/// <param name="Shape">The shape named.</param>
/// <param name="Color">The colour of the shape.</param>
/// <param name="Pattern">The background pattern.</param>
/// <param name="BackgroundColor">The background colour.</param>
/// <param name="Style">The rendering style named.</param>
/// <param name="Identifier">The rare identifier token used (<see cref="RareIdentifiers"/>), in lower case.</param>
public sealed record PromptAttributes(
    Shape? Shape = null,
    NamedColor? Color = null,
    BackgroundPattern? Pattern = null,
    NamedColor? BackgroundColor = null,
    RenderStyle? Style = null,
    string? Identifier = null)
{
    public bool HasIdentifier => Identifier is not null;
}
