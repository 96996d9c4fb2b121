using System.Globalization;
using System.Text.RegularExpressions;

namespace DiffusionTune.Models.Clip;

/// <summary>
/// Parses prompt emphasis in the AUTOMATIC1111 web UI syntax into weighted segments.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>(text)</c> multiplies the weight of its contents by 1.1, <c>((text))</c> by 1.21 and so on;
/// <c>[text]</c> divides by 1.1.</item>
/// <item><c>(text:1.5)</c> multiplies by the given number (surrounding spaces allowed, as in <c>(text: 1.5 )</c>).</item>
/// <item><c>\(</c>, <c>\)</c>, <c>\[</c>, <c>\]</c> and <c>\\</c> are the literal characters.</item>
/// <item>As in A1111, brackets left open at the end apply to everything after them, a closing bracket with no
/// opening one is literal text, and so is <c>:</c> outside a weight. Adjacent pieces with equal weights are
/// merged, so a prompt without emphasis comes back as one segment holding its exact text.</item>
/// <item>With <c>splitOnBreak</c>, the word <c>BREAK</c> (capitals, whole word) becomes <see cref="PromptSegment.Break"/>
/// and the whitespace around it is dropped.</item>
/// </list>
/// Differences from A1111, both on input it mishandles: a backslash before any other character stays in the
/// text (A1111 deletes it), and a weight that is not a number (<c>(a:1.2.3)</c>) is read as text followed by a
/// plain closing bracket (A1111 fails). Brackets also do not change BREAK (in A1111, "(a BREAK b)" turns BREAK into
/// a weighted word). Prompt editing (<c>[from:to:when]</c>) and alternation are not interpreted: their text is
/// weighted like any other text in square brackets.
/// </remarks>
public static partial class PromptWeightParser
{
    /// <summary>The factor of one pair of round brackets.</summary>
    public const double RoundBracketFactor = 1.1;

    /// <summary>The factor of one pair of square brackets.</summary>
    public const double SquareBracketFactor = 1 / 1.1;

    [GeneratedRegex(@"\G:\s*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*\)")]
    private static partial Regex ExplicitWeightClose();

    [GeneratedRegex(@"\s*\bBREAK\b\s*")]
    private static partial Regex BreakKeyword();

    /// <summary>Splits <paramref name="prompt"/> into segments with their weights.</summary>
    public static IReadOnlyList<PromptSegment> Parse(string prompt, bool splitOnBreak = false)
    {
        var pieces = new List<Piece>();
        var openRound = new Stack<int>();
        var openSquare = new Stack<int>();

        void MultiplyFrom(int start, double factor)
        {
            for (int p = start; p < pieces.Count; p++)
                pieces[p] = pieces[p] with { Weight = pieces[p].Weight * factor };
        }

        void AddText(string text)
        {
            if (!splitOnBreak)
            {
                pieces.Add(new Piece(text, 1.0, IsBreak: false));
                return;
            }
            var parts = BreakKeyword().Split(text);
            for (int k = 0; k < parts.Length; k++)
            {
                if (k > 0)
                    pieces.Add(new Piece("", 1.0, IsBreak: true));
                pieces.Add(new Piece(parts[k], 1.0, IsBreak: false));
            }
        }

        int i = 0;
        while (i < prompt.Length)
        {
            char c = prompt[i];
            switch (c)
            {
                case '\\':
                    bool escapes = i + 1 < prompt.Length && prompt[i + 1] is '(' or ')' or '[' or ']' or '\\';
                    pieces.Add(new Piece(escapes ? prompt[i + 1].ToString() : "\\", 1.0, IsBreak: false));
                    i += escapes ? 2 : 1;
                    continue;
                case '(':
                    openRound.Push(pieces.Count);
                    break;
                case '[':
                    openSquare.Push(pieces.Count);
                    break;
                case ')' when openRound.Count > 0:
                    MultiplyFrom(openRound.Pop(), RoundBracketFactor);
                    break;
                case ']' when openSquare.Count > 0:
                    MultiplyFrom(openSquare.Pop(), SquareBracketFactor);
                    break;
                case ':' when openRound.Count > 0 && ExplicitWeightClose().Match(prompt, i) is { Success: true } weight:
                    MultiplyFrom(openRound.Pop(), double.Parse(weight.Groups[1].ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture));
                    i += weight.Length;
                    continue;
                case ')' or ']' or ':':
                    AddText(c.ToString());
                    break;
                default:
                    int end = prompt.AsSpan(i).IndexOfAny(@"\()[]:");
                    end = end < 0 ? prompt.Length : i + end;
                    AddText(prompt[i..end]);
                    i = end;
                    continue;
            }
            i++;
        }

        // Brackets never closed apply to the rest of the prompt.
        foreach (int start in openRound)
            MultiplyFrom(start, RoundBracketFactor);
        foreach (int start in openSquare)
            MultiplyFrom(start, SquareBracketFactor);

        return Merge(pieces);
    }

    readonly record struct Piece(string Text, double Weight, bool IsBreak);

    /// <summary>Joins neighbours of equal weight (as A1111 does) and turns the pieces into segments.</summary>
    static List<PromptSegment> Merge(List<Piece> pieces)
    {
        var segments = new List<PromptSegment>();
        var text = new System.Text.StringBuilder();
        double? weight = null;

        void Flush()
        {
            if (weight is double w)
                segments.Add(new PromptSegment(text.ToString(), w));
            text.Clear();
            weight = null;
        }

        foreach (var piece in pieces)
        {
            if (piece.IsBreak)
            {
                Flush();
                segments.Add(PromptSegment.Break);
                continue;
            }
            // Empty pieces (from text that starts or ends with BREAK) carry no tokens; A1111 keeps them as empty entries.
            if (piece.Text.Length == 0)
                continue;
            if (weight is double w && w != piece.Weight)
                Flush();
            weight = piece.Weight;
            text.Append(piece.Text);
        }
        Flush();

        if (segments.Count == 0)
            segments.Add(new PromptSegment("", 1.0));
        return segments;
    }
}
