using System.Text.Json;
using DiffusionTune.IO;

namespace DiffusionTune.Models.Clip;

/// <summary>Reads and validates the files of a CLIP tokenizer in the Hugging Face layout.</summary>
public static class ClipTokenizerFiles
{
    public const string VocabularyFileName = "vocab.json";
    public const string MergesFileName = "merges.txt";
    public const string SpecialTokensMapFileName = "special_tokens_map.json";
    public const string TokenizerConfigFileName = "tokenizer_config.json";

    /// <summary>Reads vocab.json (a JSON object mapping each token to its id) and checks what CLIP relies on.</summary>
    public static Dictionary<string, int> ReadVocabulary(string path)
    {
        var bytes = ReadAllBytes(path);
        var vocabulary = new Dictionary<string, int>(capacity: 50_000, StringComparer.Ordinal);
        var tokenOfId = new Dictionary<int, string>(capacity: 50_000);
        try
        {
            var reader = new Utf8JsonReader(WithoutByteOrderMark(bytes).Span);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new ModelFileException(path, "must be a JSON object mapping each token to its id");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string token = reader.GetString()!;
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int id) || id < 0)
                    throw new ModelFileException(path, $"the id of token '{token}' is not a non-negative 32-bit integer");
                if (!vocabulary.TryAdd(token, id))
                    throw new ModelFileException(path, $"token '{token}' is listed twice");
                if (!tokenOfId.TryAdd(id, token))
                    throw new ModelFileException(path, $"id {id} is given to both '{tokenOfId[id]}' and '{token}'");
            }
            // Reading past the root object makes the reader reject anything that follows it.
            reader.Read();
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, $"is not valid JSON ({e.Message})", e);
        }

        foreach (var required in (string[])[ClipTokenizer.StartOfTextToken, ClipTokenizer.EndOfTextToken])
        {
            if (!vocabulary.ContainsKey(required))
                throw new ModelFileException(path, $"has no '{required}' token; is this a CLIP vocabulary?");
        }
        foreach (char symbol in ClipByteAlphabet.Characters)
        {
            foreach (var token in (string[])[symbol.ToString(), symbol + ClipTokenizer.EndOfWordSuffix])
            {
                if (!vocabulary.ContainsKey(token))
                    throw new ModelFileException(path, $"lacks the byte-level symbol '{token}' (U+{(int)symbol:X4}); a CLIP vocabulary holds all 256 byte symbols, with and without '{ClipTokenizer.EndOfWordSuffix}'");
            }
        }
        return vocabulary;
    }

    /// <summary>
    /// Reads merges.txt: an optional "#version" line, then one merge per line, two tokens separated by one space,
    /// in rank order. Every merge and its result must be in <paramref name="vocabulary"/>.
    /// </summary>
    public static List<string> ReadMerges(string path, IReadOnlyDictionary<string, int> vocabulary)
    {
        if (!File.Exists(path))
            throw new ModelFileException(path, "file not found");
        var merges = new List<string>(capacity: 50_000);
        int lineNumber = 0;
        foreach (var line in FileAccessException.Guard(path, "read", () => File.ReadAllLines(path)))
        {
            lineNumber++;
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal)))
                continue;
            int space = line.IndexOf(' ');
            if (space <= 0 || space == line.Length - 1 || line.IndexOf(' ', space + 1) >= 0)
                throw new ModelFileException(path, $"line {lineNumber} is not two tokens separated by one space: '{line}'");
            string left = line[..space], right = line[(space + 1)..];
            foreach (var token in (string[])[left, right, left + right])
            {
                if (!vocabulary.ContainsKey(token))
                    throw new ModelFileException(path, $"line {lineNumber} ('{line}') needs token '{token}', which the vocabulary lacks");
            }
            merges.Add(line);
        }
        if (merges.Count == 0)
            throw new ModelFileException(path, "holds no merges");
        return merges;
    }

    /// <summary>
    /// The pad token named in a tokenizer folder: special_tokens_map.json's <c>pad_token</c>, else
    /// tokenizer_config.json's (transformers lets the former override the latter). Either may be a string or an
    /// object with a <c>content</c> string. Null when neither file names one.
    /// </summary>
    public static (string Token, string SourceFile)? ReadPadToken(string folder)
    {
        foreach (var fileName in (string[])[SpecialTokensMapFileName, TokenizerConfigFileName])
        {
            string path = Path.Combine(folder, fileName);
            if (!File.Exists(path))
                continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(WithoutByteOrderMark(ReadAllBytes(path)));
            }
            catch (JsonException e)
            {
                throw new ModelFileException(path, $"is not valid JSON ({e.Message})", e);
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw new ModelFileException(path, "must be a JSON object");
                if (!document.RootElement.TryGetProperty("pad_token", out var pad) || pad.ValueKind == JsonValueKind.Null)
                    continue;
                if (pad.ValueKind == JsonValueKind.String)
                    return (pad.GetString()!, path);
                if (pad.ValueKind == JsonValueKind.Object && pad.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                    return (content.GetString()!, path);
                throw new ModelFileException(path, "pad_token must be a string or an object with a 'content' string");
            }
        }
        return null;
    }

    static ReadOnlyMemory<byte> WithoutByteOrderMark(byte[] bytes) =>
        bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsMemory(3) : bytes;

    static byte[] ReadAllBytes(string path)
    {
        if (!File.Exists(path))
            throw new ModelFileException(path, "file not found");
        return FileAccessException.Guard(path, "read", () => File.ReadAllBytes(path));
    }
}
