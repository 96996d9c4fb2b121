using System.Text.Json;
using System.Text.RegularExpressions;
using DiffusionTune.Models.Clip;
using DiffusionTune.ShapesWorld;
using Microsoft.ML.Tokenizers;
using Xunit.Abstractions;

namespace DiffusionTune.Tests.ShapesWorld;

public class VocabularyTests(ITestOutputHelper output)
{
    static readonly Lazy<ClipVocabulary> World = new(ShapesWorldVocabulary.Build);

    static string WriteWorldVocabulary()
    {
        var folder = TestPaths.TempFolder();
        World.Value.WriteTo(folder);
        return folder;
    }

    [Fact]
    public void The_byte_alphabet_lists_printable_Latin1_first_then_remapped_bytes()
    {
        var symbols = ClipByteAlphabet.VocabularyOrder;
        Assert.Equal(256, symbols.Distinct().Count());
        Assert.Equal('!', symbols[0]);
        Assert.Equal('~', symbols[93]);
        Assert.Equal('\u00A1', symbols[94]);
        Assert.Equal('\u00FF', symbols[187]);
        Assert.Equal('\u0100', symbols[188]);
        Assert.Equal('\u0143', symbols[255]);
        Assert.Equal('\u0120', ClipByteAlphabet.SymbolOf((byte)' '));
        Assert.Equal("a\u00C3\u00A9", ClipByteAlphabet.ToSymbols("aé"));
    }

    [SharedReferenceFact("clip-tokenizer/vocab.json")]
    public void The_first_512_ids_and_the_special_tokens_are_laid_out_as_in_CLIP()
    {
        var reference = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(TestPaths.SharedReference!, "clip-tokenizer", "vocab.json")))!;
        var vocabulary = World.Value;
        for (int id = 0; id < 512; id++) Assert.Equal(id, reference[vocabulary.Tokens[id]]);
        Assert.Equal(reference.Count - 2, reference[ClipVocabulary.StartOfText]);
        Assert.True(vocabulary.TryGetId(ClipVocabulary.StartOfText, out int start));
        Assert.True(vocabulary.TryGetId(ClipVocabulary.EndOfText, out int end));
        Assert.Equal((vocabulary.Count - 2, vocabulary.Count - 1), (start, end));
    }

    [Fact]
    public void Writes_a_Hugging_Face_CLIP_tokenizer_folder()
    {
        var folder = WriteWorldVocabulary();
        var vocabulary = World.Value;

        var ids = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(folder, "vocab.json")))!;
        Assert.Equal(vocabulary.Count, ids.Count);
        Assert.Equal(Enumerable.Range(0, ids.Count), ids.Values.Order());
        Assert.Equal(ids.Count - 2, ids["<|startoftext|>"]);
        Assert.Equal(ids.Count - 1, ids["<|endoftext|>"]);
        Assert.Equal(256 + 64, ids["a</w>"]);

        var merges = File.ReadAllLines(Path.Combine(folder, "merges.txt"));
        Assert.Equal("#version: 0.2", merges[0]);
        Assert.Equal(vocabulary.Merges.Count, merges.Length - 1);
        for (int rank = 0; rank < vocabulary.Merges.Count; rank++)
        {
            var parts = merges[rank + 1].Split(' ');
            Assert.Equal(512 + rank, ids[parts[0] + parts[1]]);
        }

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer_config.json")));
        Assert.Equal("<|startoftext|>", config.RootElement.GetProperty("bos_token").GetString());
        Assert.Equal("<|endoftext|>", config.RootElement.GetProperty("eos_token").GetString());
        Assert.Equal("<|endoftext|>", config.RootElement.GetProperty("unk_token").GetString());
        Assert.Equal("<|endoftext|>", config.RootElement.GetProperty("pad_token").GetString());
        Assert.Equal(77, config.RootElement.GetProperty("model_max_length").GetInt32());
        using var special = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "special_tokens_map.json")));
        Assert.Equal("<|startoftext|>", special.RootElement.GetProperty("bos_token").GetString());
        Assert.Equal("<|endoftext|>", special.RootElement.GetProperty("pad_token").GetString());
    }

    [Fact]
    public void Every_corpus_word_is_a_single_token_and_the_vocabulary_stays_small()
    {
        var bpe = new ReferenceBpe(WriteWorldVocabulary());
        foreach (var word in ShapesWorldVocabulary.CorpusWords)
            Assert.Equal([word + "</w>"], bpe.EncodeWord(word));
        Assert.Subset(ShapesWorldVocabulary.CorpusWords.ToHashSet(), CaptionWriter.Words.Concat(RareIdentifiers.All).Concat(ShapesWorldVocabulary.CommonPromptWords).ToHashSet());
        output.WriteLine($"{World.Value.Count} tokens ({World.Value.Merges.Count} merges) for {ShapesWorldVocabulary.CorpusWords.Count} corpus words");
        Assert.True(World.Value.Count < 1000);
    }

    [Fact]
    public void Captions_of_any_seed_tokenize_one_token_per_word()
    {
        var bpe = new ReferenceBpe(WriteWorldVocabulary());
        var dataset = new ShapesWorldDataset(31337, SceneSamplerOptions.Pretraining with { Styles = Enum.GetValues<RenderStyle>() }, identifier: "zwx");
        for (int i = 0; i < 500; i++)
        {
            string caption = dataset.Describe(i).Caption.Text;
            var pieces = Regex.Matches(caption, @"[a-z]+|,").Select(m => m.Value + "</w>");
            Assert.Equal(pieces, bpe.Encode(caption));
        }
    }

    [Fact]
    public void Identifier_prompts_tokenize_like_class_nouns_with_Microsoft_ML_Tokenizers()
    {
        var folder = WriteWorldVocabulary();
        var vocabulary = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(folder, "vocab.json")))!;
        var tokenizer = BpeTokenizer.Create(new BpeOptions(vocabulary)
        {
            Merges = File.ReadLines(Path.Combine(folder, "merges.txt")).Skip(1),
            ByteLevel = true,
            EndOfWordSuffix = "</w>",
            PreTokenizer = new RegexPreTokenizer(new Regex(@"[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"), null),
        });
        foreach (var identifier in RareIdentifiers.All)
        {
            string prompt = CaptionWriter.ClassPrompt(Shape.Star, identifier);
            var tokens = tokenizer.EncodeToTokens(prompt, out _).Select(t => t.Value).ToArray();
            Assert.Equal([.. prompt.Split(' ').Select(w => w + "</w>")], tokens);
        }
        Assert.Equal(["a</w>", "sks</w>", "star</w>"], tokenizer.EncodeToTokens("a sks star", out _).Select(t => t.Value));
        Assert.Equal(
            [vocabulary["a</w>"], vocabulary["photo</w>"], vocabulary["of</w>"], vocabulary["a</w>"], vocabulary["sks</w>"], vocabulary["heart</w>"]],
            tokenizer.EncodeToIds("a photo of a sks heart"));
    }

    [Fact]
    public void Building_is_deterministic_and_independent_of_insertion_order()
    {
        var again = ShapesWorldVocabulary.Build();
        Assert.Equal(World.Value.Merges, again.Merges);

        string[] words = ["low", "lower", "lowest", "newer", "wider", "new"];
        var forward = new ClipVocabularyBuilder();
        foreach (var word in words) forward.AddWord(word, 2);
        var backward = new ClipVocabularyBuilder();
        foreach (var word in words.Reverse()) backward.AddWord(word).AddWord(word);
        Assert.Equal(forward.Build().Merges, backward.Build().Merges);
    }

    [Fact]
    public void The_builder_counts_words_as_CLIP_splits_text()
    {
        var builder = new ClipVocabularyBuilder().AddText("A red star, a RED star's 2 points");
        Assert.Equal(2, builder.Words["a"]);
        Assert.Equal(2, builder.Words["red"]);
        Assert.Equal(2, builder.Words["star"]);
        Assert.Equal(1, builder.Words[","]);
        Assert.Equal(1, builder.Words["'s"]);
        Assert.Equal(1, builder.Words["2"]);
        Assert.Throws<ArgumentException>(() => builder.AddWord("two words"));
    }

    [Fact]
    public void A_vocabulary_rejects_merges_that_CLIP_could_not_hold()
    {
        Assert.Throws<ArgumentException>(() => new ClipVocabulary([("ab", "c")]));
        Assert.Throws<ArgumentException>(() => new ClipVocabulary([("a", "b"), ("a", "b")]));
        Assert.Throws<ArgumentException>(() => new ClipVocabulary([("a</w>", "b")]));
        Assert.Equal(515, new ClipVocabulary([("a", "b</w>")]).Count);
    }
}
