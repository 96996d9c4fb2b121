namespace DiffusionTune.Models.Clip;

/// <summary>
/// Finds tokens that are matched as literal strings in the raw prompt, before any normalization or BPE: the
/// special tokens (exact, case-sensitive, anywhere, as transformers does) and added tokens such as
/// textual-inversion placeholders (case-insensitive, and only as whole words: a token that starts or ends with a
/// letter, digit or underscore does not match next to another such character, so "sks" does not match in "asks").
/// At each position the longest token wins.
/// </summary>
sealed class LiteralTokenMatcher
{
    readonly record struct Entry(string Text, int Id, bool WholeWordIgnoreCase);

    readonly Entry[] _entries;

    LiteralTokenMatcher(IEnumerable<Entry> entries) =>
        _entries = entries.OrderByDescending(e => e.Text.Length).ToArray();

    public static LiteralTokenMatcher ForSpecialTokens(IReadOnlyDictionary<string, int> specialTokens) =>
        new(specialTokens.Select(t => new Entry(t.Key, t.Value, WholeWordIgnoreCase: false)));

    public LiteralTokenMatcher WithAddedTokens(IEnumerable<KeyValuePair<string, int>> addedTokens) =>
        new(_entries.Concat(addedTokens.Select(t => new Entry(t.Key, t.Value, WholeWordIgnoreCase: true))));

    /// <summary>A stretch of ordinary text (<see cref="TokenId"/> -1) or one literal token.</summary>
    public readonly record struct Part(string Text, int TokenId)
    {
        public bool IsToken => TokenId >= 0;
    }

    public List<Part> Split(string text)
    {
        var parts = new List<Part>();
        int textStart = 0;
        for (int i = 0; i < text.Length;)
        {
            if (MatchAt(text, i) is not { } match)
            {
                i++;
                continue;
            }
            if (i > textStart)
                parts.Add(new Part(text[textStart..i], -1));
            parts.Add(new Part(match.Text, match.Id));
            i += match.Text.Length;
            textStart = i;
        }
        if (textStart < text.Length)
            parts.Add(new Part(text[textStart..], -1));
        return parts;
    }

    Entry? MatchAt(string text, int index)
    {
        foreach (var entry in _entries)
        {
            var comparison = entry.WholeWordIgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            if (!text.AsSpan(index).StartsWith(entry.Text, comparison))
                continue;
            if (entry.WholeWordIgnoreCase && !IsWholeWord(text, index, entry.Text.Length))
                continue;
            return entry;
        }
        return null;
    }

    static bool IsWholeWord(string text, int start, int length)
    {
        int end = start + length;
        bool startsInWord = IsWordCharacter(text[start]) && start > 0 && IsWordCharacter(text[start - 1]);
        bool endsInWord = IsWordCharacter(text[end - 1]) && end < text.Length && IsWordCharacter(text[end]);
        return !startsInWord && !endsInWord;
    }

    static bool IsWordCharacter(char c) => char.IsLetterOrDigit(c) || c == '_';
}
