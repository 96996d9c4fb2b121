using DiffusionTune.Models.Clip;
using System.Text.RegularExpressions;

namespace DiffusionTune.ShapesWorld;

/// <summary>
/// Learns a CLIP-style BPE vocabulary from weighted words. Training is standard BPE over CLIP's byte-level
/// alphabet with "&lt;/w&gt;" on each word's last symbol: count adjacent symbol pairs over all words, weighted by
/// frequency; merge the most frequent pair everywhere (left to right, as the encoder applies merges); repeat until
/// every word is a single token. Ties go to the ordinally smallest pair, so the result depends only on the words
/// and weights, not on the order they were added in.
/// </summary>
public sealed partial class ClipVocabularyBuilder
{
    readonly Dictionary<string, long> _weights = new(StringComparer.Ordinal);

    /// <summary>
    /// Counts the words of <paramref name="text"/> as CLIP splits them: lower-cased, then runs of letters, single
    /// digits, runs of other non-space characters, and English contractions ("'s", "'ll", ...).
    /// </summary>
    public ClipVocabularyBuilder AddText(string text, long weight = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (Match piece in ClipWordPattern().Matches(text.ToLowerInvariant())) AddWord(piece.Value, weight);
        return this;
    }

    /// <summary>Counts one word (a piece that CLIP's splitting would keep whole), lower-cased.</summary>
    public ClipVocabularyBuilder AddWord(string word, long weight = 1)
    {
        if (string.IsNullOrWhiteSpace(word) || word.Any(char.IsWhiteSpace))
            throw new ArgumentException($"'{word}' is not a single word", nameof(word));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weight);
        string key = word.ToLowerInvariant();
        _weights[key] = _weights.GetValueOrDefault(key) + weight;
        return this;
    }

    /// <summary>The words counted so far, with their total weights.</summary>
    public IReadOnlyDictionary<string, long> Words => _weights;

    /// <summary>Learns merges until every counted word is one token.</summary>
    /// <exception cref="InvalidOperationException">
    /// Every pair left would make a token that already exists (which CLIP's one-token-per-merge layout cannot hold).
    /// </exception>
    public ClipVocabulary Build()
    {
        var words = _weights
            .OrderBy(w => w.Key, StringComparer.Ordinal)
            .Select(w => (Symbols: InitialSymbols(w.Key), Weight: w.Value))
            .ToList();
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        foreach (char symbol in ClipByteAlphabet.VocabularyOrder)
        {
            tokens.Add(symbol.ToString());
            tokens.Add(symbol + ClipVocabulary.EndOfWordSuffix);
        }

        var merges = new List<(string Left, string Right)>();
        var pairCounts = new Dictionary<(string Left, string Right), long>();
        while (true)
        {
            pairCounts.Clear();
            foreach (var (symbols, weight) in words)
            {
                for (int i = 0; i + 1 < symbols.Count; i++)
                    pairCounts[(symbols[i], symbols[i + 1])] = pairCounts.GetValueOrDefault((symbols[i], symbols[i + 1])) + weight;
            }
            if (pairCounts.Count == 0) break;

            (string Left, string Right)? best = null;
            long bestCount = 0;
            foreach (var (pair, count) in pairCounts)
            {
                if (tokens.Contains(pair.Left + pair.Right)) continue;
                if (best is null || count > bestCount || (count == bestCount && ComparePairs(pair, best.Value) < 0))
                    (best, bestCount) = (pair, count);
            }
            if (best is not { } merge)
                throw new InvalidOperationException(
                    $"every remaining pair would make an existing token (e.g. '{pairCounts.Keys.First().Left}' '{pairCounts.Keys.First().Right}'); these words cannot be learned one token each");

            merges.Add(merge);
            tokens.Add(merge.Left + merge.Right);
            foreach (var (symbols, _) in words) ApplyMerge(symbols, merge);
        }
        return new ClipVocabulary(merges);
    }

    static List<string> InitialSymbols(string word)
    {
        var symbols = ClipByteAlphabet.ToSymbols(word).Select(c => c.ToString()).ToList();
        symbols[^1] += ClipVocabulary.EndOfWordSuffix;
        return symbols;
    }

    /// <summary>Joins every occurrence of the pair, scanning left to right without overlaps (as the encoder does).</summary>
    static void ApplyMerge(List<string> symbols, (string Left, string Right) merge)
    {
        for (int i = 0; i + 1 < symbols.Count; i++)
        {
            if (symbols[i] == merge.Left && symbols[i + 1] == merge.Right)
            {
                symbols[i] = merge.Left + merge.Right;
                symbols.RemoveAt(i + 1);
            }
        }
    }

    static int ComparePairs((string Left, string Right) a, (string Left, string Right) b)
    {
        int byLeft = string.CompareOrdinal(a.Left, b.Left);
        return byLeft != 0 ? byLeft : string.CompareOrdinal(a.Right, b.Right);
    }

    // CLIP's splitting pattern, without its special tokens (which are never learned).
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+", RegexOptions.CultureInvariant)]
    private static partial Regex ClipWordPattern();
}
