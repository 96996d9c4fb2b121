namespace DiffusionTune.ShapesWorld;

/// <summary>
/// The English words of the world: the noun of each shape and word of each colour that captions use, and the words
/// that <see cref="PromptParser"/> recognises for each attribute (including plurals and the words of every style and
/// background phrase <see cref="CaptionWriter"/> writes).
/// </summary>
public static class CaptionWords
{
    static readonly Dictionary<string, BackgroundPattern> PatternWords = new(StringComparer.Ordinal)
    {
        ["plain"] = BackgroundPattern.Plain,
        ["gradient"] = BackgroundPattern.Gradient,
        ["striped"] = BackgroundPattern.Stripes,
        ["stripes"] = BackgroundPattern.Stripes,
        ["dotted"] = BackgroundPattern.Dots,
        ["dots"] = BackgroundPattern.Dots,
        ["polka"] = BackgroundPattern.Dots,
        ["checkered"] = BackgroundPattern.Checks,
        ["checks"] = BackgroundPattern.Checks,
    };

    static readonly Dictionary<string, RenderStyle> StyleWords = new(StringComparer.Ordinal)
    {
        ["border"] = RenderStyle.Bordered,
        ["bordered"] = RenderStyle.Bordered,
        ["shadow"] = RenderStyle.Shadowed,
        ["face"] = RenderStyle.Face,
        ["smiling"] = RenderStyle.Face,
        ["smiley"] = RenderStyle.Face,
        ["outline"] = RenderStyle.OutlineOnly,
        ["outlined"] = RenderStyle.OutlineOnly,
        ["pixel"] = RenderStyle.PixelArt,
    };

    /// <summary>The singular noun of a shape: "star".</summary>
    public static string Noun(Shape shape) => shape.ToString().ToLowerInvariant();

    /// <summary>The word of a colour: "red".</summary>
    public static string Word(NamedColor color) => color.ToString().ToLowerInvariant();

    /// <summary>Reads a shape noun, singular or plural ("star", "stars", "crosses"), in lower case.</summary>
    public static bool TryParseShape(string word, out Shape shape)
    {
        foreach (var candidate in Enum.GetValues<Shape>())
        {
            string noun = Noun(candidate);
            if (word == noun || word == noun + "s" || word == noun + "es")
            {
                shape = candidate;
                return true;
            }
        }
        shape = default;
        return false;
    }

    /// <summary>Reads a colour word in lower case.</summary>
    public static bool TryParseColor(string word, out NamedColor color)
    {
        foreach (var candidate in Enum.GetValues<NamedColor>())
        {
            if (word == Word(candidate))
            {
                color = candidate;
                return true;
            }
        }
        color = default;
        return false;
    }

    /// <summary>Reads a word that names a background pattern ("striped", "dots", "checkered", ...), in lower case.</summary>
    public static bool TryParsePattern(string word, out BackgroundPattern pattern) => PatternWords.TryGetValue(word, out pattern);

    /// <summary>Reads a word that names a rendering style ("border", "shadow", "smiling", "outline", "pixel", ...), in lower case.</summary>
    public static bool TryParseStyle(string word, out RenderStyle style) => StyleWords.TryGetValue(word, out style);
}
