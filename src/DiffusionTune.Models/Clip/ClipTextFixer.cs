using System.Text;
using System.Text.RegularExpressions;

namespace DiffusionTune.Models.Clip;

/// <summary>
/// The part of ftfy's <c>fix_text</c> (ftfy 6.3, default settings) that CLIP's tokenizer runs on every prompt
/// before lower-casing it. ftfy has no .NET port; this reimplements its deterministic fixes and a deliberately
/// conservative subset of its mojibake repair.
/// </summary>
/// <remarks>
/// <para>Covered, in ftfy's order, repeated until the text stops changing, line by line:</para>
/// <list type="bullet">
/// <item>HTML character references (see <see cref="HtmlEntityDecoder"/>), skipped from the first line that contains
/// a literal &lt; on, as ftfy's "auto" mode does (the text is then taken to be real HTML);</item>
/// <item>UTF-8 mojibake with unambiguous lead characters (see <see cref="MojibakeRepair"/>);</item>
/// <item>C1 control characters read as Windows-1252 (U+0093 → “);</item>
/// <item>Latin ligatures split (ﬁ → fi, ĳ → ij, ǆ → dž; not æ or œ, which are letters in their own right);</item>
/// <item>full-width and half-width forms to their usual width (ＡＢＣ → ABC, ｶ → カ, U+3000 → space);</item>
/// <item>curly quotes straightened (‘ ’ ‚ ‛ ʼ → ', “ ” „ ‟ → ");</item>
/// <item>lone UTF-16 surrogates replaced by U+FFFD;</item>
/// <item>ANSI terminal escapes and invisible control characters removed (C0 controls other than tab, line feed,
/// form feed and carriage return; DEL; U+206A..U+206F; the byte-order mark; U+FFF9..U+FFFC);</item>
/// <item>NFC normalization.</item>
/// </list>
/// <para>Not covered: ftfy's heuristic repairs beyond the mojibake above (other single-byte code pages such as
/// Windows-1251 or MacRoman, mojibake mixed with '?' or '�', "Ã " with a space for a lost no-break space) and its
/// line-break normalization, which cannot change CLIP tokens because all whitespace collapses to one space.</para>
/// </remarks>
public static partial class ClipTextFixer
{
    [GeneratedRegex(@"\x1b\[[\d;]*[a-zA-Z]")]
    private static partial Regex TerminalEscape();

    /// <summary>Applies the fixes listed on <see cref="ClipTextFixer"/>.</summary>
    public static string Fix(string text)
    {
        var fixedText = new StringBuilder(text.Length);
        bool decodeHtml = true;
        for (int start = 0; start < text.Length;)
        {
            int newline = text.IndexOf('\n', start);
            int end = newline < 0 ? text.Length : newline + 1;
            string line = text[start..end];
            // Like ftfy: once a line looks like HTML, entities are real markup from there on.
            if (line.Contains('<'))
                decodeHtml = false;
            fixedText.Append(FixLine(line, decodeHtml));
            start = end;
        }
        return fixedText.ToString();
    }

    static string FixLine(string line, bool decodeHtml)
    {
        while (true)
        {
            string before = line;
            if (decodeHtml)
                line = HtmlEntityDecoder.Decode(line);
            line = MojibakeRepair.Repair(line);
            line = MapCharacters(line, '\u0080', '\u009F', c => Windows1252.DecodeHighControlByte(c).ToString());
            line = MapCharacters(line, '\u0132', '\uFB06', LigatureLetters);
            line = MapCharacters(line, '\u3000', '\uFFEF', StandardWidth);
            line = MapCharacters(line, '\u02BC', '\u201F', StraightQuote);
            line = ReplaceLoneSurrogates(line);
            if (line.Contains('\x1b'))
                line = TerminalEscape().Replace(line, "");
            line = MapCharacters(line, '\0', '\uFFFC', c => IsInvisibleControl(c) ? "" : null);
            if (!line.IsNormalized(NormalizationForm.FormC))
                line = line.Normalize(NormalizationForm.FormC);
            if (line == before)
                return line;
        }
    }

    /// <summary>
    /// Replaces each character in [<paramref name="first"/>, <paramref name="last"/>] for which
    /// <paramref name="replacement"/> gives a string; other characters are kept. Allocates only on a change.
    /// </summary>
    static string MapCharacters(string text, char first, char last, Func<char, string?> replacement)
    {
        StringBuilder? mapped = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            string? substitute = c >= first && c <= last ? replacement(c) : null;
            if (substitute is null)
            {
                mapped?.Append(c);
                continue;
            }
            mapped ??= new StringBuilder(text.Length + 8).Append(text, 0, i);
            mapped.Append(substitute);
        }
        return mapped?.ToString() ?? text;
    }

    static string? LigatureLetters(char c) => c switch
    {
        '\u0132' => "IJ",
        '\u0133' => "ij",
        '\u0149' => "\u02BCn",
        '\u01C4' => "D\u017D",
        '\u01C5' => "D\u017E",
        '\u01C6' => "d\u017E",
        '\u01C7' => "LJ",
        '\u01C8' => "Lj",
        '\u01C9' => "lj",
        '\u01CA' => "NJ",
        '\u01CB' => "Nj",
        '\u01CC' => "nj",
        '\u01F1' => "DZ",
        '\u01F2' => "Dz",
        '\u01F3' => "dz",
        '\uFB00' => "ff",
        '\uFB01' => "fi",
        '\uFB02' => "fl",
        '\uFB03' => "ffi",
        '\uFB04' => "ffl",
        '\uFB05' => "\u017Ft",
        '\uFB06' => "st",
        _ => null,
    };

    /// <summary>The ideographic space and the Halfwidth and Fullwidth Forms block, via their compatibility mapping.</summary>
    static string? StandardWidth(char c)
    {
        if (c == '\u3000')
            return " ";
        if (c < '\uFF01')
            return null;
        string single = c.ToString();
        string standard = single.Normalize(NormalizationForm.FormKC);
        return standard == single ? null : standard;
    }

    static string? StraightQuote(char c) => c switch
    {
        '\u02BC' or (>= '\u2018' and <= '\u201B') => "'",
        >= '\u201C' and <= '\u201F' => "\"",
        _ => null,
    };

    static bool IsInvisibleControl(char c) =>
        c is (<= '\u0008') or '\u000B' or (>= '\u000E' and <= '\u001F') or '\u007F'
            or (>= '\u206A' and <= '\u206F') or '\uFEFF' or (>= '\uFFF9' and <= '\uFFFC');

    static string ReplaceLoneSurrogates(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
            return text;
        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
            builder.Append(rune.ToString()); // an unpaired surrogate enumerates as U+FFFD
        return builder.ToString();
    }
}
