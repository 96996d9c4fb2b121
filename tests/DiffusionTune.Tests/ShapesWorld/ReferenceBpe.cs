using System.Text.Json;
using DiffusionTune.Models.Clip;
using DiffusionTune.ShapesWorld;

namespace DiffusionTune.Tests.ShapesWorld;

/// <summary>
/// An independent CLIP BPE encoder for checking written vocabularies: reads vocab.json and merges.txt, maps a word's
/// UTF-8 bytes to the byte alphabet with "&lt;/w&gt;" on the last symbol, then repeatedly joins the adjacent pair of
/// lowest rank (every occurrence, left to right), as CLIP's tokenizer does.
/// </summary>
sealed class ReferenceBpe
{
    readonly Dictionary<(string, string), int> _ranks = [];

    public ReferenceBpe(string folder)
    {
        Vocabulary = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(folder, "vocab.json")))!;
        var lines = File.ReadAllLines(Path.Combine(folder, "merges.txt"));
        for (int i = 1; i < lines.Length; i++)
        {
            var parts = lines[i].Split(' ');
            _ranks[(parts[0], parts[1])] = i - 1;
        }
    }

    public Dictionary<string, int> Vocabulary { get; }

    public IReadOnlyList<string> EncodeWord(string word)
    {
        var symbols = ClipByteAlphabet.ToSymbols(word).Select(c => c.ToString()).ToList();
        symbols[^1] += "</w>";
        while (symbols.Count > 1)
        {
            var best = Enumerable.Range(0, symbols.Count - 1)
                .Select(i => (Pair: (symbols[i], symbols[i + 1]), Rank: _ranks.GetValueOrDefault((symbols[i], symbols[i + 1]), int.MaxValue)))
                .MinBy(p => p.Rank);
            if (best.Rank == int.MaxValue) break;
            var merged = new List<string>();
            for (int i = 0; i < symbols.Count; i++)
            {
                if (i + 1 < symbols.Count && (symbols[i], symbols[i + 1]) == best.Pair)
                {
                    merged.Add(symbols[i] + symbols[i + 1]);
                    i++;
                }
                else merged.Add(symbols[i]);
            }
            symbols = merged;
        }
        return symbols;
    }

    /// <summary>Lower-cases, splits on spaces and punctuation (enough for the world's prompts) and encodes every word.</summary>
    public IReadOnlyList<string> Encode(string text) =>
        [.. System.Text.RegularExpressions.Regex.Matches(text.ToLowerInvariant(), @"[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+").SelectMany(m => EncodeWord(m.Value))];
}
