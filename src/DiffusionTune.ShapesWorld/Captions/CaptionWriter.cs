using System.Text.RegularExpressions;

namespace DiffusionTune.ShapesWorld;

/// <summary>
/// Describes scenes in plain English, always naming the shape and its colour, e.g. "a red star on a striped blue
/// background", "red star, blue stripes background", "an outline of a green circle on a plain white background".
/// Wording is chosen among a few paraphrases by a <see cref="DeterministicRandom"/>, and the background phrase is
/// sometimes left out, so the model sees varied text for the same picture.
/// </summary>
public sealed partial class CaptionWriter
{
    /// <summary>How often <see cref="Write"/> leaves out the background phrase unless told otherwise.</summary>
    public const double DefaultBackgroundDropProbability = 0.15;

    // When the background is described: as "... on a striped blue background" this often, else "..., blue stripes background".
    const double OnPhraseProbability = 0.65;

    // Subject phrases: {c} the colour, {s} the shape noun (with an identifier before it when one is given).
    // "a" and "an" are written either way and corrected for the following word afterwards.
    static readonly Dictionary<RenderStyle, string[]> SubjectTemplates = new()
    {
        [RenderStyle.Flat] = ["a {c} {s}", "{c} {s}"],
        [RenderStyle.Bordered] = ["a {c} {s} with a border", "a bordered {c} {s}", "{c} {s} with a thick border"],
        [RenderStyle.Shadowed] = ["a {c} {s} with a shadow", "a {c} {s} with a soft shadow", "{c} {s} casting a shadow"],
        [RenderStyle.Face] = ["a {c} {s} with a face", "a smiling {c} {s}", "a {c} {s} with a smiley face"],
        [RenderStyle.OutlineOnly] = ["an outline of a {c} {s}", "a {c} {s} outline", "a {c} outlined {s}"],
        [RenderStyle.PixelArt] = ["a pixel art {c} {s}", "pixel art of a {c} {s}", "a {c} {s} in pixel art style"],
    };

    /// <summary>A background phrase with {b} for the colour, and whether its words name the pattern.</summary>
    sealed record BackgroundPhrase(string Template, bool StatesPattern);

    sealed record BackgroundPhrases(BackgroundPhrase[] On, BackgroundPhrase[] Listed);

    static readonly Dictionary<BackgroundPattern, BackgroundPhrases> BackgroundTemplates = new()
    {
        [BackgroundPattern.Plain] = new(
            [new("on a plain {b} background", true), new("on a {b} background", false), new("on plain {b}", true)],
            [new("plain {b} background", true), new("{b} background", false)]),
        [BackgroundPattern.Gradient] = new(
            [new("on a {b} gradient background", true), new("on a {b} gradient", true)],
            [new("{b} gradient background", true), new("{b} gradient", true)]),
        [BackgroundPattern.Stripes] = new(
            [new("on a striped {b} background", true), new("on {b} stripes", true)],
            [new("{b} stripes background", true), new("striped {b} background", true)]),
        [BackgroundPattern.Dots] = new(
            [new("on a dotted {b} background", true), new("on {b} polka dots", true), new("on {b} dots", true)],
            [new("{b} dots background", true), new("dotted {b} background", true)]),
        [BackgroundPattern.Checks] = new(
            [new("on a checkered {b} background", true), new("on {b} checks", true)],
            [new("{b} checks background", true), new("checkered {b} background", true)]),
    };

    static readonly IReadOnlySet<string> AllWords = CollectWords();

    readonly double _backgroundDropProbability;

    /// <param name="backgroundDropProbability">How often the background phrase is left out (0..1).</param>
    public CaptionWriter(double backgroundDropProbability = DefaultBackgroundDropProbability)
    {
        if (backgroundDropProbability is < 0 or > 1 || double.IsNaN(backgroundDropProbability))
            throw new ArgumentOutOfRangeException(nameof(backgroundDropProbability), backgroundDropProbability, "must be between 0 and 1");
        _backgroundDropProbability = backgroundDropProbability;
    }

    /// <summary>Every word any caption can contain (without identifiers), in lower case.</summary>
    public static IReadOnlySet<string> Words => AllWords;

    /// <summary>
    /// A caption of <paramref name="scene"/> with wording drawn from <paramref name="random"/>. With an
    /// <paramref name="identifier"/> (one of <see cref="RareIdentifiers.All"/>) it goes before the shape noun:
    /// "a red sks star on blue dots".
    /// </summary>
    public Caption Write(Scene scene, DeterministicRandom random, string? identifier = null)
    {
        CheckIdentifier(identifier);
        string subject = random.Pick(SubjectTemplates[scene.Style]);
        bool dropBackground = random.NextBool(_backgroundDropProbability);
        bool onForm = random.NextBool(OnPhraseProbability);
        var phrases = BackgroundTemplates[scene.Background.Pattern];
        var background = random.Pick(onForm ? phrases.On : phrases.Listed);
        return Compose(scene, subject, dropBackground ? null : background, onForm, identifier);
    }

    /// <summary>The plainest full description, e.g. "a red star on a striped blue background": no paraphrase, nothing left out.</summary>
    public static Caption WriteCanonical(Scene scene, string? identifier = null)
    {
        CheckIdentifier(identifier);
        return Compose(scene, SubjectTemplates[scene.Style][0], BackgroundTemplates[scene.Background.Pattern].On[0], onForm: true, identifier);
    }

    /// <summary>A class-noun prompt for fine-tuning: "a star", or with an identifier "a sks star".</summary>
    public static string ClassPrompt(Shape shape, string? identifier = null)
    {
        CheckIdentifier(identifier);
        return FixArticles(identifier is null ? $"a {CaptionWords.Noun(shape)}" : $"a {identifier.ToLowerInvariant()} {CaptionWords.Noun(shape)}");
    }

    static Caption Compose(Scene scene, string subjectTemplate, BackgroundPhrase? background, bool onForm, string? identifier)
    {
        string noun = CaptionWords.Noun(scene.Shape);
        string subject = subjectTemplate
            .Replace("{c}", CaptionWords.Word(scene.Color))
            .Replace("{s}", identifier is null ? noun : $"{identifier.ToLowerInvariant()} {noun}");
        string text = subject;
        if (background is not null)
        {
            string phrase = background.Template.Replace("{b}", CaptionWords.Word(scene.Background.Color));
            text = onForm ? $"{subject} {phrase}" : $"{subject}, {phrase}";
        }
        var stated = new PromptAttributes(
            scene.Shape,
            scene.Color,
            background is { StatesPattern: true } ? scene.Background.Pattern : null,
            background is null ? null : scene.Background.Color,
            scene.Style == RenderStyle.Flat ? null : scene.Style,
            identifier?.ToLowerInvariant());
        return new Caption(FixArticles(text), stated);
    }

    /// <summary>Makes every "a"/"an" agree with the next word: "an" before a vowel letter, "a" otherwise.</summary>
    static string FixArticles(string text) =>
        ArticlePattern().Replace(text, match => "aeiou".Contains(match.Groups["next"].Value[0]) ? $"an {match.Groups["next"].Value}" : $"a {match.Groups["next"].Value}");

    static void CheckIdentifier(string? identifier)
    {
        if (identifier is not null && !RareIdentifiers.IsRareIdentifier(identifier))
            throw new ArgumentException($"'{identifier}' is not one of the rare identifiers ({string.Join(", ", RareIdentifiers.All)})", nameof(identifier));
    }

    static IReadOnlySet<string> CollectWords()
    {
        var templates = SubjectTemplates.Values.SelectMany(t => t)
            .Concat(BackgroundTemplates.Values.SelectMany(p => p.On.Concat(p.Listed)).Select(p => p.Template));
        var words = new SortedSet<string>(StringComparer.Ordinal) { "a", "an" };
        foreach (var template in templates)
            words.UnionWith(template.Split(' ').Where(w => !w.StartsWith('{')));
        words.UnionWith(Enum.GetValues<Shape>().Select(CaptionWords.Noun));
        words.UnionWith(Enum.GetValues<NamedColor>().Select(CaptionWords.Word));
        return words;
    }

    [GeneratedRegex(@"\ban? (?<next>[a-z]+)")]
    private static partial Regex ArticlePattern();
}
