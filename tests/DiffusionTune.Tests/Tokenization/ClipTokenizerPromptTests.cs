using DiffusionTune.Models.Clip;
using static DiffusionTune.Tests.Tokenization.TinyClipTokenizerFolder;

namespace DiffusionTune.Tests.Tokenization;

/// <summary>Weights, chunking and added tokens, with the self-made vocabulary (one "a" = one token).</summary>
public class ClipTokenizerPromptTests
{
    static readonly ClipTokenizer Tokenizer = Load();

    static string Words(int count, string word = "a") => string.Join(" ", Enumerable.Repeat(word, count));

    static long[] Chunk(params long[] content)
    {
        var ids = Enumerable.Repeat((long)EndOfText, ClipTokenizer.ModelMaxLength).ToArray();
        ids[0] = StartOfText;
        content.CopyTo(ids, 1);
        ids[content.Length + 1] = EndOfText;
        return ids;
    }

    static long[] Repeat(long id, int count) => Enumerable.Repeat(id, count).ToArray();

    [Fact]
    public void Weighted_tokens_carry_their_segment_weight()
    {
        var tokenized = Tokenizer.TokenizeWeighted("a (cat:1.5) [dog] ((a))");
        Assert.Equal(Chunk(A, Cat, Dog, A), tokenized.InputIds.Single());
        var weights = tokenized.Weights.Single();
        Assert.Equal([1f, 1f, 1.5f, (float)(1 / 1.1), (float)(1.1 * 1.1), 1f, 1f], weights.Take(7));
        Assert.All(weights.Skip(7), w => Assert.Equal(1f, w));
    }

    [Fact]
    public void Without_emphasis_the_weighted_and_plain_paths_agree()
    {
        foreach (var prompt in new[] { "a cat, a dog", "", "  spaced   out ", "C:\\path: 3" })
        {
            var plain = Tokenizer.Tokenize(prompt);
            var weighted = Tokenizer.TokenizeWeighted(prompt);
            Assert.Equal(plain.InputIds.Single(), weighted.InputIds.Single());
            Assert.Equal(plain.Weights.Single(), weighted.Weights.Single());
        }
    }

    [Theory]
    [InlineData(75, false)]
    [InlineData(76, true)]
    public void Truncates_to_75_tokens_by_default(int words, bool truncated)
    {
        var tokenized = Tokenizer.Tokenize(Words(words));
        Assert.Equal(Chunk(Repeat(A, 75)), tokenized.InputIds.Single());
        Assert.Equal(truncated, tokenized.Truncated);
    }

    [Fact]
    public void Chunks_long_prompts_into_77_token_sequences()
    {
        var options = new ClipTokenizeOptions { LongPrompts = LongPromptHandling.Chunk };
        var tokenized = Tokenizer.Tokenize(Words(160), options);
        Assert.Equal([Chunk(Repeat(A, 75)), Chunk(Repeat(A, 75)), Chunk(Repeat(A, 10))], tokenized.InputIds);
        Assert.Equal(3, tokenized.ChunkCount);
        Assert.False(tokenized.Truncated);
        Assert.Equal(Chunk(Repeat(A, 75)), Tokenizer.Tokenize(Words(75), options).InputIds.Single());
    }

    [Fact]
    public void Chunking_moves_the_words_after_a_nearby_comma_to_the_next_chunk()
    {
        string prompt = Words(70) + ", " + Words(10);
        var backtracking = Tokenizer.Tokenize(prompt, new ClipTokenizeOptions { LongPrompts = LongPromptHandling.Chunk });
        Assert.Equal([Chunk([.. Repeat(A, 70), Comma]), Chunk(Repeat(A, 10))], backtracking.InputIds);

        var plain = Tokenizer.Tokenize(prompt, new ClipTokenizeOptions { LongPrompts = LongPromptHandling.Chunk, CommaBacktrack = 0 });
        Assert.Equal([Chunk([.. Repeat(A, 70), Comma, .. Repeat(A, 4)]), Chunk(Repeat(A, 6))], plain.InputIds);

        string farComma = Words(50) + ", " + Words(30);
        var tooFar = Tokenizer.Tokenize(farComma, new ClipTokenizeOptions { LongPrompts = LongPromptHandling.Chunk });
        Assert.Equal(75, tooFar.InputIds[0].Count(id => id != StartOfText && id != EndOfText));
    }

    [Fact]
    public void Break_starts_a_new_chunk_when_enabled()
    {
        var chunked = Tokenizer.TokenizeWeighted("a BREAK (cat) dog", new ClipTokenizeOptions { LongPrompts = LongPromptHandling.Chunk, SplitOnBreak = true });
        Assert.Equal([Chunk(A), Chunk(Cat, Dog)], chunked.InputIds);
        Assert.Equal(1.1f, chunked.Weights[1][1]);

        var truncated = Tokenizer.TokenizeWeighted("a BREAK cat", new ClipTokenizeOptions { SplitOnBreak = true });
        Assert.Equal(Chunk(A), truncated.InputIds.Single());
        Assert.True(truncated.Truncated);

        var asText = Tokenizer.TokenizeWeighted("a BREAK cat");
        Assert.Equal(Tokenizer.Encode("a break cat").Length, asText.InputIds[0].Count(id => id != StartOfText && id != EndOfText));

        var trailing = Tokenizer.TokenizeWeighted("a BREAK", new ClipTokenizeOptions { LongPrompts = LongPromptHandling.Chunk, SplitOnBreak = true });
        Assert.Equal([Chunk(A)], trailing.InputIds);
    }

    [Fact]
    public void Added_tokens_get_new_ids_and_match_whole_words_ignoring_case()
    {
        var extended = Tokenizer.WithAddedTokens(["<cat-toy>", "sks"]);
        Assert.Equal(Size + 2, extended.VocabularySize);
        Assert.Equal(Size, extended.TokenToId("<cat-toy>"));
        Assert.Equal(Size + 1, extended.TokenToId("SKS"));
        Assert.Equal(Size, Tokenizer.VocabularySize);
        Assert.Empty(Tokenizer.AddedTokens);

        Assert.Equal([A, Size, Cat, Size + 1, Comma], extended.Encode("a <Cat-Toy>cat SKS,"));
        Assert.Equal(Tokenizer.Encode("asks sks_x"), extended.Encode("asks sks_x"));
        Assert.Equal("a <cat-toy> cat", extended.Decode(extended.Encode("a <cat-toy> cat")));

        var weighted = extended.TokenizeWeighted("(sks:1.3) cat");
        Assert.Equal(Chunk(Size + 1, Cat), weighted.InputIds.Single());
        Assert.Equal(1.3f, weighted.Weights[0][1]);

        var more = extended.WithAddedTokens(["<dog-toy>"]);
        Assert.Equal(Size + 2, more.TokenToId("<dog-toy>"));
        Assert.Equal(Size, more.TokenToId("<cat-toy>"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("<|endoftext|>")]
    public void Rejects_unusable_added_tokens(string token) =>
        Assert.Throws<ArgumentException>(() => Tokenizer.WithAddedTokens([token]));

    [Fact]
    public void Rejects_adding_a_token_twice()
    {
        Assert.Throws<ArgumentException>(() => Tokenizer.WithAddedTokens(["<x>", "<X>"]));
        Assert.Throws<ArgumentException>(() => Tokenizer.WithAddedTokens(["<x>"]).WithAddedTokens(["<x>"]));
    }

    [Fact]
    public void Decode_turns_ids_back_into_words()
    {
        Assert.Equal("a cat , dog", Tokenizer.Decode([StartOfText, A, Cat, Comma, Dog, EndOfText]));
        Assert.Equal("cab", Tokenizer.Decode(Tokenizer.Encode("cab")));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Decode([Size]));
    }
}
