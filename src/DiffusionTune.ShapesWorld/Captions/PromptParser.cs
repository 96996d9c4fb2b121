using System.Text.RegularExpressions;

namespace DiffusionTune.ShapesWorld;

/// <summary>
/// Reads a caption or a user's prompt back into the attributes it states, for scoring how well a generated image
/// follows its prompt. The shape noun splits the prompt: a colour word before it is the shape's colour, the first
/// colour word after it the background's ("a red star on a striped blue background"). Without a shape noun, the
/// split is the first "on", "background" or pattern word.
/// </summary>
public static partial class PromptParser
{
    public static PromptAttributes Parse(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        string[] words = [.. WordPattern().Matches(prompt.ToLowerInvariant()).Select(m => m.Value)];

        Shape? shape = null;
        int split = -1;
        for (int i = 0; i < words.Length && shape is null; i++)
        {
            if (CaptionWords.TryParseShape(words[i], out var found))
                (shape, split) = (found, i);
        }
        if (split < 0)
        {
            split = Array.FindIndex(words, w => w is "on" or "background" || CaptionWords.TryParsePattern(w, out _));
            if (split < 0) split = words.Length;
        }

        NamedColor? color = null, backgroundColor = null;
        BackgroundPattern? pattern = null;
        RenderStyle? style = null;
        string? identifier = null;
        for (int i = 0; i < words.Length; i++)
        {
            string word = words[i];
            if (CaptionWords.TryParseColor(word, out var namedColor))
            {
                if (i < split) color = namedColor;
                else if (i > split || shape is null) backgroundColor ??= namedColor;
            }
            if (pattern is null && CaptionWords.TryParsePattern(word, out var foundPattern)) pattern = foundPattern;
            if (style is null && CaptionWords.TryParseStyle(word, out var foundStyle)) style = foundStyle;
            if (identifier is null && RareIdentifiers.IsRareIdentifier(word)) identifier = word;
        }
        return new PromptAttributes(shape, color, pattern, backgroundColor, style, identifier);
    }

    [GeneratedRegex(@"[a-z]+")]
    private static partial Regex WordPattern();
}
