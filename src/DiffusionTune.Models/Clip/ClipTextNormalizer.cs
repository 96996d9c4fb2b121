using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace DiffusionTune.Models.Clip;

/// <summary>
/// CLIP's text clean-up before pre-tokenization: <see cref="ClipTextFixer"/> (ftfy), then every run of whitespace
/// collapsed to one space and the ends trimmed, then lower-casing with Python's <c>str.lower</c> rules.
/// </summary>
sealed class ClipTextNormalizer : Normalizer
{
    public static ClipTextNormalizer Instance { get; } = new();

    public override string Normalize(string original) => LowerCase(CollapseWhitespace(ClipTextFixer.Fix(original)));

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());

    /// <summary>
    /// Python's <c>str.isspace</c> on fixed text: .NET's white space is the same set except for the information
    /// separators U+001C..U+001F, which <see cref="ClipTextFixer"/> has already removed as control characters.
    /// </summary>
    public static bool IsWhitespace(char c) => char.IsWhiteSpace(c);

    static string CollapseWhitespace(string text)
    {
        var collapsed = new StringBuilder(text.Length);
        bool pendingSpace = false;
        foreach (char c in text)
        {
            if (IsWhitespace(c))
            {
                pendingSpace = collapsed.Length > 0;
                continue;
            }
            if (pendingSpace)
                collapsed.Append(' ');
            pendingSpace = false;
            collapsed.Append(c);
        }
        return collapsed.ToString();
    }

    /// <summary>
    /// Python's <c>str.lower</c>. .NET's invariant lower-casing agrees with it on every code point except two rules
    /// from Unicode's SpecialCasing that Python applies: İ (U+0130) becomes "i̇" (i + combining dot above), and a
    /// capital sigma that ends a word becomes final sigma ς.
    /// </summary>
    static string LowerCase(string text)
    {
        var lower = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length;)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out int length);
            if (rune.Value == 0x130)
                lower.Append("i\u0307");
            else if (rune.Value == 'Σ')
                lower.Append(IsFinalSigma(text, i) ? 'ς' : 'σ');
            else
                lower.Append(Rune.ToLowerInvariant(rune).ToString());
            i += length;
        }
        return lower.ToString();
    }

    /// <summary>
    /// Unicode's Final_Sigma condition: a cased letter before the sigma and none after it, looking past
    /// case-ignorable characters (marks, format characters, modifier letters and symbols, apostrophes, periods and
    /// colons). "Cased" is approximated by the upper-, lower- and title-case letter categories.
    /// </summary>
    static bool IsFinalSigma(string text, int index)
    {
        int before = index - 1;
        while (before >= 0 && IsCaseIgnorable(text[before]))
            before--;
        if (before < 0 || !IsCased(text[before]))
            return false;
        int after = index + 1;
        while (after < text.Length && IsCaseIgnorable(text[after]))
            after++;
        return after == text.Length || !IsCased(text[after]);
    }

    static bool IsCased(char c) => char.GetUnicodeCategory(c) is
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    static bool IsCaseIgnorable(char c) =>
        c is '\'' or '.' or ':' or '\u00B7' or '\u2018' or '\u2019' or '\u2024'
        || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;
}
