using System.Text;
using DiffusionTune.IO;
using Microsoft.ML.Tokenizers;

namespace DiffusionTune.Models.Clip;

/// <summary>
/// The CLIP BPE tokenizer of Stable Diffusion's text encoders, giving the same ids as transformers'
/// <c>CLIPTokenizer</c> (with ftfy installed) and OpenAI's <c>simple_tokenizer</c>.
/// </summary>
/// <remarks>
/// <para>Text pipeline: special and added tokens are split off the raw text; each remaining stretch is cleaned by
/// <see cref="ClipTextFixer"/> (CLIP's ftfy step), whitespace-collapsed and lower-cased, split by CLIP's
/// pre-tokenization pattern, mapped to the byte-level alphabet and merged by BPE with the <c>&lt;/w&gt;</c>
/// end-of-word suffix (Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/> does the last two steps). Model input is
/// <c>&lt;|startoftext|&gt;</c>, at most 75 tokens, <c>&lt;|endoftext|&gt;</c>, then the pad token up to 77.</para>
/// <para>Instances are immutable and safe to share between threads; <see cref="WithAddedTokens"/> returns a new
/// tokenizer.</para>
/// </remarks>
public sealed class ClipTokenizer
{
    /// <summary>Token positions the CLIP text encoder takes.</summary>
    public const int ModelMaxLength = 77;

    /// <summary>Prompt tokens per 77-token sequence (the start and end tokens take the other two).</summary>
    public const int ChunkContentLength = ModelMaxLength - 2;

    /// <summary>The start token every sequence begins with.</summary>
    public const string StartOfTextToken = "<|startoftext|>";

    /// <summary>The end token that closes every sequence (and SD 1.x's padding).</summary>
    public const string EndOfTextToken = "<|endoftext|>";

    /// <summary>Marks a vocabulary entry that ends a word ("cat&lt;/w&gt;" versus the word-inner "cat").</summary>
    public const string EndOfWordSuffix = "</w>";

    /// <summary>The Hugging Face repository whose tokenizer SD 1.x uses, for <see cref="FromHuggingFaceCache()"/>.</summary>
    public const string HuggingFaceRepositoryId = "openai/clip-vit-large-patch14";

    readonly BpeTokenizer _bpe;
    readonly string[] _tokenOfId;
    readonly LiteralTokenMatcher _literalTokens;
    readonly Dictionary<string, int> _addedTokens;
    readonly Dictionary<int, int[]> _multiVectorIds;
    readonly int _commaId;

    ClipTokenizer(BpeTokenizer bpe, string[] tokenOfId, int padId, int commaId, LiteralTokenMatcher literalTokens, Dictionary<string, int> addedTokens,
        Dictionary<int, int[]> multiVectorIds)
    {
        _bpe = bpe;
        _tokenOfId = tokenOfId;
        _commaId = commaId;
        _literalTokens = literalTokens;
        _addedTokens = addedTokens;
        _multiVectorIds = multiVectorIds;
        StartOfTextId = bpe.Vocabulary[StartOfTextToken];
        EndOfTextId = bpe.Vocabulary[EndOfTextToken];
        PadId = padId;
    }

    /// <summary>Id of <c>&lt;|startoftext|&gt;</c> (49406 in the SD vocabularies).</summary>
    public int StartOfTextId { get; }

    /// <summary>Id of <c>&lt;|endoftext|&gt;</c> (49407).</summary>
    public int EndOfTextId { get; }

    /// <summary>
    /// Id that fills positions after the end token: 49407 for SD 1.x, 0 (<c>!</c>) for SD 2.x. It is only used for
    /// padding; a pad token that is an ordinary entry (SD 2.x's "!") is tokenized normally where it occurs in text.
    /// </summary>
    public int PadId { get; }

    /// <summary>Number of ids, the added tokens included (49408 for the SD vocabularies without additions).</summary>
    public int VocabularySize => _tokenOfId.Length + _addedTokens.Count;

    /// <summary>Tokens added with <see cref="WithAddedTokens"/>, with their ids.</summary>
    public IReadOnlyDictionary<string, int> AddedTokens => _addedTokens;

    /// <summary>
    /// Loads a tokenizer folder as diffusers and transformers lay it out: vocab.json and merges.txt, and optionally
    /// special_tokens_map.json / tokenizer_config.json for the pad token (default <c>&lt;|endoftext|&gt;</c>).
    /// </summary>
    /// <exception cref="ModelFileException">A file is missing or malformed; the message names it.</exception>
    public static ClipTokenizer FromFolder(string tokenizerFolder)
    {
        if (!Directory.Exists(tokenizerFolder))
            throw new ModelFileException(tokenizerFolder, File.Exists(tokenizerFolder) ? "is a file, not a tokenizer folder" : "tokenizer folder not found");
        string vocabularyPath = Path.Combine(tokenizerFolder, ClipTokenizerFiles.VocabularyFileName);
        string mergesPath = Path.Combine(tokenizerFolder, ClipTokenizerFiles.MergesFileName);
        var vocabulary = ClipTokenizerFiles.ReadVocabulary(vocabularyPath);
        var merges = ClipTokenizerFiles.ReadMerges(mergesPath, vocabulary);

        int padId = vocabulary[EndOfTextToken];
        if (ClipTokenizerFiles.ReadPadToken(tokenizerFolder) is { } pad && !vocabulary.TryGetValue(pad.Token, out padId))
            throw new ModelFileException(pad.SourceFile, $"its pad_token '{pad.Token}' is not in {vocabularyPath}");
        return Create(vocabulary, merges, padId);
    }

    /// <summary>Loads vocab.json and merges.txt from explicit paths.</summary>
    /// <param name="vocabularyPath">The vocab.json file.</param>
    /// <param name="mergesPath">The merges.txt file.</param>
    /// <param name="padToken">The padding token: <c>&lt;|endoftext|&gt;</c> (SD 1.x, the default) or <c>!</c> (SD 2.x).</param>
    /// <exception cref="ModelFileException">A file is missing or malformed; the message names it.</exception>
    /// <exception cref="ArgumentException"><paramref name="padToken"/> is not in the vocabulary.</exception>
    public static ClipTokenizer FromFiles(string vocabularyPath, string mergesPath, string padToken = EndOfTextToken)
    {
        var vocabulary = ClipTokenizerFiles.ReadVocabulary(vocabularyPath);
        var merges = ClipTokenizerFiles.ReadMerges(mergesPath, vocabulary);
        if (!vocabulary.TryGetValue(padToken, out int padId))
            throw new ArgumentException($"the pad token '{padToken}' is not in {vocabularyPath}", nameof(padToken));
        return Create(vocabulary, merges, padId);
    }

    /// <summary>
    /// Loads the tokenizer of <see cref="HuggingFaceRepositoryId"/> from the local Hugging Face hub cache, looked for
    /// in HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME/huggingface/hub and
    /// ~/.cache/huggingface/hub, in that order.
    /// </summary>
    /// <exception cref="ModelFileException">No cached copy was found (the message lists where it looked).</exception>
    public static ClipTokenizer FromHuggingFaceCache() => FromHuggingFaceCache(HuggingFaceHubCache.DefaultCandidateDirectories());

    /// <summary>Loads the tokenizer of <see cref="HuggingFaceRepositoryId"/> from the given hub cache folder.</summary>
    public static ClipTokenizer FromHuggingFaceCache(string hubCacheDirectory) => FromHuggingFaceCache([hubCacheDirectory]);

    /// <summary>The cached snapshot folder of <see cref="HuggingFaceRepositoryId"/> (holding vocab.json and merges.txt), or null.</summary>
    public static string? FindInHuggingFaceCache() =>
        HuggingFaceHubCache.DefaultCandidateDirectories()
            .Select(hub => HuggingFaceHubCache.FindSnapshot(hub, HuggingFaceRepositoryId, RequiredFiles))
            .FirstOrDefault(snapshot => snapshot is not null);

    static readonly string[] RequiredFiles = [ClipTokenizerFiles.VocabularyFileName, ClipTokenizerFiles.MergesFileName];

    static ClipTokenizer FromHuggingFaceCache(IReadOnlyList<string> hubDirectories)
    {
        foreach (var hub in hubDirectories)
        {
            if (HuggingFaceHubCache.FindSnapshot(hub, HuggingFaceRepositoryId, RequiredFiles) is { } snapshot)
                return FromFolder(snapshot);
        }
        throw new ModelFileException(
            hubDirectories[0],
            $"no cached {HuggingFaceRepositoryId} with {string.Join(" and ", RequiredFiles)} (looked in: {string.Join(", ", hubDirectories)}); "
            + $"download it (e.g. `huggingface-cli download {HuggingFaceRepositoryId} {string.Join(" ", RequiredFiles)}`) or load a tokenizer folder instead");
    }

    static ClipTokenizer Create(Dictionary<string, int> vocabulary, List<string> merges, int padId)
    {
        var bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
        {
            Merges = merges,
            ByteLevel = true,
            EndOfWordSuffix = EndOfWordSuffix,
            Normalizer = ClipTextNormalizer.Instance,
            PreTokenizer = ClipPreTokenizer.Instance,
            SpecialTokens = new Dictionary<string, int>
            {
                [StartOfTextToken] = vocabulary[StartOfTextToken],
                [EndOfTextToken] = vocabulary[EndOfTextToken],
            },
        });

        var tokenOfId = new string[vocabulary.Values.Max() + 1];
        foreach (var (token, id) in vocabulary)
            tokenOfId[id] = token;
        int commaId = vocabulary.TryGetValue("," + EndOfWordSuffix, out int comma) ? comma : -1;
        var specialTokens = LiteralTokenMatcher.ForSpecialTokens(bpe.SpecialTokens!);
        return new ClipTokenizer(bpe, tokenOfId, padId, commaId, specialTokens, new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase), []);
    }

    /// <summary>
    /// A tokenizer that also knows <paramref name="tokens"/> (e.g. textual-inversion placeholders such as
    /// "&lt;cat-toy&gt;"), with new ids from <see cref="VocabularySize"/> on, in the given order. An added token is
    /// matched in the raw prompt before any other processing, ignoring case, as a whole word (not inside a longer
    /// word), and becomes its single id; it may shadow a word of the vocabulary.
    /// </summary>
    /// <exception cref="ArgumentException">A token is empty, contains whitespace, is a special token or is already added.</exception>
    public ClipTokenizer WithAddedTokens(IEnumerable<string> tokens)
    {
        var added = new Dictionary<string, int>(_addedTokens, StringComparer.OrdinalIgnoreCase);
        var newTokens = new List<KeyValuePair<string, int>>();
        foreach (var token in tokens)
        {
            if (string.IsNullOrEmpty(token) || token.Any(char.IsWhiteSpace))
                throw new ArgumentException($"an added token must be non-empty and without whitespace: '{token}'", nameof(tokens));
            if (token is StartOfTextToken or EndOfTextToken)
                throw new ArgumentException($"'{token}' is a special token", nameof(tokens));
            int id = VocabularySize + newTokens.Count;
            if (!added.TryAdd(token, id))
                throw new ArgumentException($"the token '{token}' is already added (as id {added[token]})", nameof(tokens));
            newTokens.Add(new(token, id));
        }
        return new ClipTokenizer(_bpe, _tokenOfId, PadId, _commaId, _literalTokens.WithAddedTokens(newTokens), added, _multiVectorIds);
    }

    /// <summary>
    /// A tokenizer that also knows a textual-inversion token of <paramref name="vectorCount"/> vectors, as diffusers
    /// and A1111 lay one out: the ids of <see cref="MultiVectorTokenNames"/> (<c>tok</c>, <c>tok_1</c> … <c>tok_{n-1}</c>)
    /// are added in that order, and <paramref name="token"/> in a prompt becomes all of them, one position per vector
    /// (the others stay addressable on their own).
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a valid added token or is already added, or the count is below 1.</exception>
    public ClipTokenizer WithMultiVectorToken(string token, int vectorCount)
    {
        var names = MultiVectorTokenNames(token, vectorCount);
        var grown = WithAddedTokens(names);
        if (vectorCount == 1) return grown;
        var ids = names.Select(name => grown._addedTokens[name]).ToArray();
        var multiVectorIds = new Dictionary<int, int[]>(_multiVectorIds) { [ids[0]] = ids };
        return new ClipTokenizer(_bpe, _tokenOfId, PadId, _commaId, grown._literalTokens, grown._addedTokens, multiVectorIds);
    }

    /// <summary>The token names of a multi-vector token: <c>tok</c>, <c>tok_1</c> … <c>tok_{n-1}</c> (diffusers' naming).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vectorCount"/> is below 1.</exception>
    public static IReadOnlyList<string> MultiVectorTokenNames(string token, int vectorCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vectorCount, 1);
        return [token, .. Enumerable.Range(1, vectorCount - 1).Select(i => $"{token}_{i}")];
    }

    /// <summary>The id of a vocabulary entry (byte-level form, e.g. "cat&lt;/w&gt;") or an added token, or null.</summary>
    public int? TokenToId(string token) =>
        _addedTokens.TryGetValue(token, out int added) ? added
        : _bpe.Vocabulary.TryGetValue(token, out int id) ? id
        : null;

    /// <summary>The BPE ids of <paramref name="text"/>, without start/end tokens, truncation or padding.</summary>
    public int[] Encode(string text)
    {
        var ids = new List<int>();
        foreach (var part in _literalTokens.Split(text))
        {
            if (part.IsToken)
                ids.AddRange(_multiVectorIds.TryGetValue(part.TokenId, out var vectorIds) ? vectorIds : [part.TokenId]);
            else
                ids.AddRange(_bpe.EncodeToIds(part.Text));
        }
        return ids.ToArray();
    }

    /// <summary>
    /// Text for <paramref name="ids"/> as CLIP decodes it (lower-cased, a space after each word); start and end
    /// tokens are skipped.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in the vocabulary.</exception>
    public string Decode(IEnumerable<int> ids)
    {
        var text = new StringBuilder();
        var utf8 = new List<byte>();
        void FlushBytes()
        {
            text.Append(Encoding.UTF8.GetString(utf8.ToArray()));
            utf8.Clear();
        }

        foreach (int id in ids)
        {
            if (id == StartOfTextId || id == EndOfTextId)
                continue;
            if (id >= _tokenOfId.Length && id < VocabularySize)
            {
                FlushBytes();
                text.Append(_addedTokens.First(t => t.Value == id).Key).Append(' ');
                continue;
            }
            if (id < 0 || id >= _tokenOfId.Length || _tokenOfId[id] is not { } token)
                throw new ArgumentOutOfRangeException(nameof(ids), id, "not a token id of this tokenizer");

            bool endsWord = token.EndsWith(EndOfWordSuffix, StringComparison.Ordinal);
            foreach (char symbol in endsWord ? token[..^EndOfWordSuffix.Length] : token)
            {
                if (ClipByteAlphabet.TryGetByte(symbol, out byte value))
                    utf8.Add(value);
                else
                    utf8.AddRange(Encoding.UTF8.GetBytes(symbol.ToString()));
            }
            if (endsWord)
                utf8.Add((byte)' ');
        }
        FlushBytes();
        return text.ToString().Trim(' ');
    }

    /// <summary>Tokenizes a plain prompt (no emphasis syntax) for the text encoder.</summary>
    public TokenizedPrompt Tokenize(string prompt, ClipTokenizeOptions? options = null) =>
        Tokenize([new PromptSegment(prompt, 1.0)], options);

    /// <summary>
    /// Tokenizes a prompt written with A1111 emphasis syntax (see <see cref="PromptWeightParser"/>): each segment is
    /// tokenized on its own and its tokens get its weight. A prompt without such syntax gives exactly what
    /// <see cref="Tokenize(string, ClipTokenizeOptions?)"/> gives.
    /// </summary>
    public TokenizedPrompt TokenizeWeighted(string prompt, ClipTokenizeOptions? options = null)
    {
        options ??= ClipTokenizeOptions.Default;
        return Tokenize(PromptWeightParser.Parse(prompt, options.SplitOnBreak), options);
    }

    /// <summary>Tokenizes already weighted segments, honouring <see cref="PromptSegment.Break"/>.</summary>
    public TokenizedPrompt Tokenize(IReadOnlyList<PromptSegment> segments, ClipTokenizeOptions? options = null)
    {
        options ??= ClipTokenizeOptions.Default;
        bool chunk = options.LongPrompts == LongPromptHandling.Chunk;
        var chunker = new PromptChunker(ChunkContentLength, _commaId, chunk ? options.CommaBacktrack : 0);
        foreach (var segment in segments)
        {
            if (segment.IsBreak)
            {
                chunker.Break();
                continue;
            }
            foreach (int id in Encode(segment.Text))
                chunker.Add(id, (float)segment.Weight);
        }

        var chunks = chunker.Finish();
        var kept = chunk ? chunks : chunks.Take(1).ToList();
        var inputIds = new long[kept.Count][];
        var weights = new float[kept.Count][];
        for (int c = 0; c < kept.Count; c++)
            (inputIds[c], weights[c]) = ToModelInput(kept[c].Ids, kept[c].Weights);
        return new TokenizedPrompt(inputIds, weights, Truncated: kept.Count < chunks.Count);
    }

    /// <summary>Start token, the chunk's tokens, end token, then padding up to <see cref="ModelMaxLength"/>.</summary>
    (long[] Ids, float[] Weights) ToModelInput(List<int> ids, List<float> tokenWeights)
    {
        var inputIds = new long[ModelMaxLength];
        var weights = new float[ModelMaxLength];
        Array.Fill(inputIds, PadId);
        Array.Fill(weights, 1f);
        inputIds[0] = StartOfTextId;
        for (int i = 0; i < ids.Count; i++)
        {
            inputIds[i + 1] = ids[i];
            weights[i + 1] = tokenWeights[i];
        }
        inputIds[ids.Count + 1] = EndOfTextId;
        return (inputIds, weights);
    }
}
