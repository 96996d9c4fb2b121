using DiffusionTune.Models.Clip;
using static DiffusionTune.Tests.Tokenization.TinyClipTokenizerFolder;

namespace DiffusionTune.Tests.Tokenization;

/// <summary>Textual-inversion words that stand for several vectors (diffusers' and A1111's layout).</summary>
public class MultiVectorTokenTests
{
    [Fact]
    public void A_multi_vector_word_expands_to_all_its_ids_wherever_a_prompt_says_it()
    {
        var tokenizer = Load().WithMultiVectorToken("sks", 3);
        int first = Size;

        Assert.Equal(Size + 3, tokenizer.VocabularySize);
        Assert.Equal([A, first, first + 1, first + 2, Cat], tokenizer.Encode("a sks cat"));
        Assert.Equal([first, first + 1, first + 2, Comma, first, first + 1, first + 2], tokenizer.Encode("SKS,sks"));
        // The extra vectors keep their own names, as diffusers adds them; a word containing the token is not it.
        Assert.Equal([first + 2], tokenizer.Encode("sks_2"));
        Assert.DoesNotContain(first, tokenizer.Encode("asks"));
        Assert.Equal(new[] { "sks", "sks_1", "sks_2" }, ClipTokenizer.MultiVectorTokenNames("sks", 3));

        var ids = tokenizer.Tokenize("a sks cat").InputIds[0];
        Assert.Equal(new long[] { StartOfText, A, first, first + 1, first + 2, Cat, EndOfText }, ids[..7]);
    }

    [Fact]
    public void Several_words_coexist_and_a_one_vector_word_is_a_plain_added_token()
    {
        var tokenizer = Load().WithMultiVectorToken("sks", 2).WithMultiVectorToken("toy", 1).WithMultiVectorToken("style", 2);
        Assert.Equal([Size, Size + 1, Size + 2, Size + 3, Size + 4], tokenizer.Encode("sks toy style"));
        Assert.Equal([Size + 2], tokenizer.Encode("toy"));
        Assert.Throws<ArgumentException>(() => tokenizer.WithMultiVectorToken("sks", 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.WithMultiVectorToken("new", 0));
    }
}
