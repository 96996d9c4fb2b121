using System.Text.Json;
using DiffusionTune.Models.Clip;

namespace DiffusionTune.Tests.Tokenization;

/// <summary>The prompts of TestData/fixtures/tokens.json with the reference tokenizer's results.</summary>
static class TokenFixtures
{
    public sealed record Prompt(string Text, string NormalizedText, int[] Ids, long[] InputIds, bool Truncated);

    static readonly Lazy<IReadOnlyList<Prompt>> Loaded = new(Load);

    public static IReadOnlyList<Prompt> All => Loaded.Value;

    /// <summary>Indexes into <see cref="All"/>, for theories (keeps test names short).</summary>
    public static TheoryData<int> Indexes()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < All.Count; i++)
            data.Add(i);
        return data;
    }

    static IReadOnlyList<Prompt> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Fixture("tokens.json")));
        return document.RootElement.GetProperty("prompts").EnumerateArray().Select(p => new Prompt(
            p.GetProperty("text").GetString()!,
            p.GetProperty("normalized_text").GetString()!,
            p.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            p.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
            p.GetProperty("truncated").GetBoolean())).ToList();
    }
}

/// <summary>The real SD tokenizer from ../shared/reference/clip-tokenizer, loaded once for all tests.</summary>
static class SharedClipTokenizer
{
    public const string ReferenceFolder = "clip-tokenizer";

    static readonly Lazy<ClipTokenizer> Loaded = new(() =>
        ClipTokenizer.FromFolder(Path.Combine(TestPaths.SharedReference!, ReferenceFolder)));

    public static ClipTokenizer Instance => Loaded.Value;
}
