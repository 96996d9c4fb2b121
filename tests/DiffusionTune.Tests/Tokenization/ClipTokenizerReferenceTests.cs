using System.Diagnostics;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Models.Clip;
using Xunit.Abstractions;

namespace DiffusionTune.Tests.Tokenization;

/// <summary>Ids against the reference tokenizer's, with the real SD vocabulary (../shared/reference).</summary>
public class ClipTokenizerReferenceTests(ITestOutputHelper output)
{
    [SharedReferenceFact(SharedClipTokenizer.ReferenceFolder)]
    public void All_fixture_prompts_give_the_reference_ids()
    {
        var tokenizer = SharedClipTokenizer.Instance;
        var failures = new List<string>();
        foreach (var prompt in TokenFixtures.All)
        {
            int[] ids = tokenizer.Encode(prompt.Text);
            var tokenized = tokenizer.Tokenize(prompt.Text);
            if (!ids.SequenceEqual(prompt.Ids))
                failures.Add($"{prompt.Text}: ids [{string.Join(", ", ids)}], expected [{string.Join(", ", prompt.Ids)}]");
            else if (!tokenized.InputIds[0].SequenceEqual(prompt.InputIds) || tokenized.Truncated != prompt.Truncated)
                failures.Add($"{prompt.Text}: input_ids differ or truncated={tokenized.Truncated}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(40, TokenFixtures.All.Count);
    }

    [SharedReferenceFact(SharedClipTokenizer.ReferenceFolder)]
    public void Weighted_path_matches_the_fixtures_for_prompts_without_emphasis_syntax()
    {
        var tokenizer = SharedClipTokenizer.Instance;
        var plain = TokenFixtures.All.Where(p => p.Text.IndexOfAny(['(', ')', '[', ']']) < 0).ToList();
        Assert.True(plain.Count >= 30);
        foreach (var prompt in plain)
        {
            var tokenized = tokenizer.TokenizeWeighted(prompt.Text);
            Assert.Equal(prompt.InputIds, tokenized.InputIds.Single());
            Assert.All(tokenized.Weights.Single(), w => Assert.Equal(1f, w));
        }
    }

    [SharedReferenceFact(SharedClipTokenizer.ReferenceFolder)]
    public void Text_encoder_fixture_input_ids_are_reproduced_from_its_prompts()
    {
        var tokenizer = SharedClipTokenizer.Instance;
        using var file = SafetensorsFile.Open(TestPaths.Fixture("text_io.safetensors"));
        using var inputIds = file.Load("input_ids");
        Assert.Equal(new long[] { 2, ClipTokenizer.ModelMaxLength }, inputIds.shape);
        var expected = inputIds.data<long>().ToArray();
        for (int row = 0; row < 2; row++)
        {
            var tokenized = tokenizer.Tokenize(file.Metadata[$"prompt{row}"]);
            Assert.Equal(expected.AsSpan(row * 77, 77).ToArray(), tokenized.InputIds.Single());
            Assert.Equal(row == 1, tokenized.Truncated);
        }
    }

    [SharedReferenceFact(SharedClipTokenizer.ReferenceFolder)]
    public void Can_be_shared_between_threads()
    {
        var tokenizer = SharedClipTokenizer.Instance;
        var prompts = Enumerable.Range(0, 8).SelectMany(_ => TokenFixtures.All).ToArray();
        var results = new long[prompts.Length][];
        Parallel.For(0, prompts.Length, i => results[i] = tokenizer.Tokenize(prompts[i].Text).InputIds[0]);
        for (int i = 0; i < prompts.Length; i++)
            Assert.Equal(prompts[i].InputIds, results[i]);
    }

    [SharedReferenceFact(SharedClipTokenizer.ReferenceFolder)]
    public void Loads_the_full_vocabulary_quickly()
    {
        string folder = Path.Combine(TestPaths.SharedReference!, SharedClipTokenizer.ReferenceFolder);
        var stopwatch = Stopwatch.StartNew();
        var tokenizer = ClipTokenizer.FromFolder(folder);
        stopwatch.Stop();
        output.WriteLine($"loaded {tokenizer.VocabularySize} tokens in {stopwatch.ElapsedMilliseconds} ms");

        Assert.Equal(49408, tokenizer.VocabularySize);
        Assert.Equal(49406, tokenizer.StartOfTextId);
        Assert.Equal(49407, tokenizer.EndOfTextId);
        Assert.Equal(49407, tokenizer.PadId);
        Assert.Equal(781, tokenizer.TokenToId("about</w>"));
    }

    [SharedReferenceFact(SharedClipTokenizer.ReferenceFolder)]
    public void Decode_inverts_encode_up_to_normalization()
    {
        var tokenizer = SharedClipTokenizer.Instance;
        foreach (var prompt in TokenFixtures.All.Where(p => !p.Truncated))
        {
            // CLIP's decode puts a space after every word piece, so compare with spaces removed.
            string decoded = tokenizer.Decode(tokenizer.Tokenize(prompt.Text).InputIds[0].Select(id => (int)id));
            Assert.Equal(
                prompt.NormalizedText.Replace(" ", ""),
                decoded.Replace(" ", ""),
                ignoreCase: false);
        }
    }

    [SharedReferenceFact(SharedClipTokenizer.ReferenceFolder)]
    public void Special_tokens_in_the_text_become_their_ids()
    {
        var tokenizer = SharedClipTokenizer.Instance;
        Assert.Equal([320, 49407, 2368], tokenizer.Encode("a<|endoftext|>cat"));
        Assert.Equal([320, 49406, 2368], tokenizer.Encode("a <|STARTOFTEXT|> cat"));
    }
}
