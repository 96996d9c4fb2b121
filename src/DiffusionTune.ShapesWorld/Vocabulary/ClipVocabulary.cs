using DiffusionTune.Models.Clip;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DiffusionTune.IO;

namespace DiffusionTune.ShapesWorld;

/// <summary>
/// A CLIP BPE vocabulary laid out as CLIP's own: ids 0..255 the byte-level symbols (<see cref="ClipByteAlphabet"/>),
/// 256..511 the same with the end-of-word marker "&lt;/w&gt;", then one token per merge in merge order, then
/// "&lt;|startoftext|&gt;" and "&lt;|endoftext|&gt;". <see cref="WriteTo"/> saves it as a Hugging Face CLIP tokenizer folder.
/// </summary>
public sealed class ClipVocabulary
{
    public const string EndOfWordSuffix = "</w>";
    public const string StartOfText = "<|startoftext|>";
    public const string EndOfText = "<|endoftext|>";
    /// <summary>The text length CLIP text encoders take, start and end tokens included.</summary>
    public const int ModelMaxLength = 77;

    public const string VocabularyFileName = "vocab.json";
    public const string MergesFileName = "merges.txt";
    public const string TokenizerConfigFileName = "tokenizer_config.json";
    public const string SpecialTokensMapFileName = "special_tokens_map.json";

    readonly string[] _tokens;
    readonly Dictionary<string, int> _ids;

    /// <summary>
    /// Lays out the vocabulary of <paramref name="merges"/> (in rank order). Each merge must join two tokens that
    /// exist before it and make a token that does not.
    /// </summary>
    public ClipVocabulary(IReadOnlyList<(string Left, string Right)> merges)
    {
        var tokens = new List<string>(512 + merges.Count + 2);
        tokens.AddRange(ClipByteAlphabet.VocabularyOrder.Select(s => s.ToString()));
        tokens.AddRange(ClipByteAlphabet.VocabularyOrder.Select(s => s + EndOfWordSuffix));
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++) ids.Add(tokens[i], i);

        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if (!ids.ContainsKey(left) || !ids.ContainsKey(right))
                throw new ArgumentException($"merge {rank} ('{left}' '{right}') joins a token that no earlier entry makes", nameof(merges));
            if (left.EndsWith(EndOfWordSuffix, StringComparison.Ordinal))
                throw new ArgumentException($"merge {rank} ('{left}' '{right}') continues past the end of a word", nameof(merges));
            string merged = left + right;
            if (!ids.TryAdd(merged, tokens.Count))
                throw new ArgumentException($"merge {rank} ('{left}' '{right}') makes '{merged}', which is already a token", nameof(merges));
            tokens.Add(merged);
        }
        foreach (var special in (string[])[StartOfText, EndOfText])
        {
            if (!ids.TryAdd(special, tokens.Count))
                throw new ArgumentException($"a merge makes the special token '{special}'", nameof(merges));
            tokens.Add(special);
        }

        Merges = merges.ToArray().AsReadOnly();
        _tokens = [.. tokens];
        _ids = ids;
    }

    /// <summary>The merges in rank order.</summary>
    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    /// <summary>Every token, indexed by id.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    public int Count => _tokens.Length;

    public bool TryGetId(string token, out int id) => _ids.TryGetValue(token, out id);

    /// <summary>
    /// Writes vocab.json, merges.txt (with the "#version: 0.2" header), tokenizer_config.json and
    /// special_tokens_map.json into <paramref name="folder"/>, creating it if needed. Each file is replaced atomically.
    /// </summary>
    public void WriteTo(string folder)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.Write(Path.Combine(folder, VocabularyFileName), stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            json.WriteStartObject();
            for (int id = 0; id < _tokens.Length; id++) json.WriteNumber(_tokens[id], id);
            json.WriteEndObject();
        });

        var merges = new StringBuilder("#version: 0.2\n");
        foreach (var (left, right) in Merges) merges.Append(left).Append(' ').Append(right).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(folder, MergesFileName), merges.ToString());

        WriteJson(Path.Combine(folder, TokenizerConfigFileName), json =>
        {
            json.WriteString("tokenizer_class", "CLIPTokenizer");
            json.WriteString("bos_token", StartOfText);
            json.WriteString("eos_token", EndOfText);
            json.WriteString("unk_token", EndOfText);
            json.WriteString("pad_token", EndOfText);
            json.WriteNumber("model_max_length", ModelMaxLength);
            json.WriteBoolean("do_lower_case", true);
            json.WriteString("errors", "replace");
            json.WriteBoolean("add_prefix_space", false);
            json.WriteBoolean("clean_up_tokenization_spaces", true);
        });
        WriteJson(Path.Combine(folder, SpecialTokensMapFileName), json =>
        {
            json.WriteString("bos_token", StartOfText);
            json.WriteString("eos_token", EndOfText);
            json.WriteString("unk_token", EndOfText);
            json.WriteString("pad_token", EndOfText);
        });
    }

    static void WriteJson(string path, Action<Utf8JsonWriter> writeProperties) =>
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            json.WriteStartObject();
            writeProperties(json);
            json.WriteEndObject();
        });
}
