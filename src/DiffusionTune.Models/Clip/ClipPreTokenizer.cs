using System.Text;
using Microsoft.ML.Tokenizers;

namespace DiffusionTune.Models.Clip;

/// <summary>
/// CLIP's pre-tokenization of normalized text, the matches of
/// <c>&lt;\|startoftext\|&gt;|&lt;\|endoftext\|&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c>:
/// the two special tokens, English contractions, runs of letters, single digits and runs of everything else,
/// with whitespace dropped.
/// </summary>
/// <remarks>
/// Written as a scanner rather than a .NET regex because .NET's <c>\p{L}</c> tests UTF-16 code units, so letters
/// and digits outside the Basic Multilingual Plane would fall into the "everything else" class; this scanner
/// classifies whole code points, as Python does.
/// </remarks>
sealed class ClipPreTokenizer : PreTokenizer
{
    static readonly string[] SpecialTokens = [ClipTokenizer.StartOfTextToken, ClipTokenizer.EndOfTextToken];
    static readonly string[] Contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    public static ClipPreTokenizer Instance { get; } = new();

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) => PreTokenize(text.AsSpan());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text)
    {
        var pieces = new List<(int Offset, int Length)>();
        int position = 0;
        while (position < text.Length)
        {
            var kind = Classify(text[position..], out int length);
            if (kind == CharacterKind.Whitespace)
            {
                position += length;
                continue;
            }
            int end = MatchEnd(text, position, kind, length);
            pieces.Add((position, end - position));
            position = end;
        }
        return pieces;
    }

    /// <summary>Where the match that starts at <paramref name="start"/> ends (the regex's alternatives in order).</summary>
    static int MatchEnd(ReadOnlySpan<char> text, int start, CharacterKind firstKind, int firstLength)
    {
        var rest = text[start..];
        foreach (var literal in SpecialTokens)
        {
            if (rest.StartsWith(literal, StringComparison.Ordinal))
                return start + literal.Length;
        }
        foreach (var contraction in Contractions)
        {
            if (rest.StartsWith(contraction, StringComparison.Ordinal))
                return start + contraction.Length;
        }
        if (firstKind == CharacterKind.Number)
            return start + firstLength;

        // A run of letters, or a run of symbols (anything neither whitespace, letter nor number).
        int end = start + firstLength;
        while (end < text.Length && Classify(text[end..], out int length) == firstKind)
            end += length;
        return end;
    }

    enum CharacterKind { Whitespace, Letter, Number, Symbol }

    static CharacterKind Classify(ReadOnlySpan<char> text, out int length)
    {
        Rune.DecodeFromUtf16(text, out var rune, out length);
        if (rune.IsBmp && ClipTextNormalizer.IsWhitespace((char)rune.Value))
            return CharacterKind.Whitespace;
        if (Rune.IsLetter(rune))
            return CharacterKind.Letter;
        return Rune.IsNumber(rune) ? CharacterKind.Number : CharacterKind.Symbol;
    }
}
