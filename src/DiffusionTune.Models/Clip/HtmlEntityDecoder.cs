using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace DiffusionTune.Models.Clip;

/// <summary>
/// Decodes HTML character references the way ftfy's unescape_html does: only complete references that end in a
/// semicolon ("&amp;amp;", "&amp;#39;", "&amp;#x2019;"), so informal text such as "this&amp;not that" stays as it is.
/// </summary>
/// <remarks>
/// Named references come from .NET's HTML 4 table (plus &amp;apos;); names that only HTML5 added (&amp;check;,
/// &amp;star;, ...) are left undecoded. As in ftfy, an all-capitals spelling of a lower-case name decodes to the
/// upper-case character (&amp;EACUTE; → É). Numeric references follow the HTML5 rules that Python's
/// html.unescape applies: 0x80..0x9F are read as Windows-1252, 0, surrogates and values past U+10FFFF become
/// U+FFFD, and control/non-characters decode to nothing.
/// </remarks>
static partial class HtmlEntityDecoder
{
    static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    [GeneratedRegex("&#?[0-9A-Za-z]{1,24};")]
    private static partial Regex CharacterReference();

    public static string Decode(string text) =>
        text.Contains('&') ? CharacterReference().Replace(text, match => DecodeReference(match.Value)) : text;

    static string DecodeReference(string reference)
    {
        var body = reference.AsSpan(1, reference.Length - 2);
        if (body[0] == '#')
            return DecodeNumeric(body[1..]) ?? reference;

        string decoded = WebUtility.HtmlDecode(reference);
        if (decoded != reference)
            return decoded;

        // An upper-cased lower-case name (e.g. from a database that upper-cased everything).
        string lower = reference.ToLowerInvariant();
        if (reference == reference.ToUpperInvariant() && lower != reference)
        {
            string decodedLower = WebUtility.HtmlDecode(lower);
            if (decodedLower != lower)
                return decodedLower == "ß" ? "SS" : decodedLower.ToUpperInvariant();
        }
        return reference;
    }

    static string? DecodeNumeric(ReadOnlySpan<char> digits)
    {
        bool hex = digits.Length > 1 && digits[0] is 'x' or 'X';
        if (hex)
            digits = digits[1..];
        if (digits.IsEmpty || (hex ? digits.ContainsAnyExcept(HexDigits) : digits.ContainsAnyExceptInRange('0', '9')))
            return null;

        // Leading zeros are trimmed so only the significant digits can overflow; an overflow is past U+10FFFF.
        var significant = digits.TrimStart('0');
        var style = hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None;
        if (significant.IsEmpty)
            return CodePointText(0);
        if (!long.TryParse(significant, style, CultureInfo.InvariantCulture, out long value) || value > 0x10FFFF)
            return "\uFFFD";
        return CodePointText((int)value);
    }

    static string CodePointText(int value)
    {
        if (value == 0)
            return "\uFFFD";
        if (value is >= 0x80 and <= 0x9F)
            return Windows1252.DecodeHighControlByte(value).ToString();
        if (value is >= 0xD800 and <= 0xDFFF)
            return "\uFFFD";
        if (IsDiscardedCodePoint(value))
            return "";
        return char.ConvertFromUtf32(value);
    }

    /// <summary>Controls and non-characters, which HTML5 parsers drop from numeric references.</summary>
    static bool IsDiscardedCodePoint(int value) =>
        value is (>= 0x01 and <= 0x08) or 0x0B or (>= 0x0E and <= 0x1F) or 0x7F or (>= 0xFDD0 and <= 0xFDEF)
        || (value & 0xFFFE) == 0xFFFE;
}
