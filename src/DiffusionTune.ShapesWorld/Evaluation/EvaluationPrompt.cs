namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>A prompt to evaluate a model on, with the attributes its words state (<see cref="PromptParser"/>).</summary>
/// <param name="Text">The prompt as given to the model.</param>
/// <param name="Expected">What the prompt asks for; adherence is judged on its non-null attributes only.</param>
public sealed record EvaluationPrompt(string Text, PromptAttributes Expected)
{
    const string ExpectMarker = "| expect:";

    /// <summary>
    /// Parses <paramref name="text"/> for its stated attributes. A prompt may add expectations its words do not state,
    /// after <c>| expect:</c> — e.g. <c>a sks star | expect: color=yellow, style=face</c> for a learned subject whose
    /// identifier stands for a colour and style (keys: shape, color, pattern, background, style).
    /// </summary>
    public static EvaluationPrompt Parse(string text)
    {
        int marker = text.IndexOf(ExpectMarker, StringComparison.OrdinalIgnoreCase);
        if (marker < 0) return new(text, PromptParser.Parse(text));
        var prompt = text[..marker].Trim();
        var expected = PromptParser.Parse(prompt);
        foreach (var item in text[(marker + ExpectMarker.Length)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2) throw new ArgumentException($"'{text}': expectations are key=value, not '{item}'");
            var (key, value) = (parts[0].ToLowerInvariant(), parts[1]);
            expected = key switch
            {
                "shape" => expected with { Shape = Enum<Shape>(value, text) },
                "color" => expected with { Color = Enum<NamedColor>(value, text) },
                "pattern" => expected with { Pattern = Enum<BackgroundPattern>(value, text) },
                "background" => expected with { BackgroundColor = Enum<NamedColor>(value, text) },
                "style" => expected with { Style = Enum<RenderStyle>(value, text) },
                _ => throw new ArgumentException($"'{text}': unknown expectation '{key}' (shape, color, pattern, background, style)"),
            };
        }
        return new(prompt, expected);
    }

    static T Enum<T>(string value, string line) where T : struct, System.Enum =>
        System.Enum.TryParse<T>(value, ignoreCase: true, out var parsed)
            ? parsed
            : throw new ArgumentException($"'{line}': '{value}' is not one of {string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");
}
