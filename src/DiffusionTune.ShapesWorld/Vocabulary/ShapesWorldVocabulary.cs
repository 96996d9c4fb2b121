namespace DiffusionTune.ShapesWorld;

/// <summary>
/// The text vocabulary of the shapes-world base model: BPE learned from the world's captions, so that every caption
/// word, every rare identifier and the common words people put in prompts are single tokens.
/// </summary>
public static class ShapesWorldVocabulary
{
    // Captions sampled (over all styles, held-out ones included) to weight the merges by how often pieces occur.
    const int SampledCaptions = 5000;
    const ulong CorpusSeed = 20_240_601;

    /// <summary>Words users commonly type into prompts beyond what captions say.</summary>
    public static IReadOnlyList<string> CommonPromptWords { get; } = new[]
    {
        "a", "an", "the", "of", "in", "on", "with", "and", "or", "at", "by", "for", "is", "this", "one", "single",
        "photo", "picture", "drawing", "image", "illustration", "painting", "sketch", "render", "icon", "logo",
        "sticker", "symbol", "shape", "art", "style", "background", "simple", "flat", "clean", "cute", "small", "big",
        "large", "bright", "dark", "light", "colorful", "centered", "high", "quality", "detailed", "cartoon", "digital",
    }.AsReadOnly();

    /// <summary>Every word that must be one token: caption words, rare identifiers and common prompt words, sorted.</summary>
    public static IReadOnlyList<string> CorpusWords { get; } = CaptionWriter.Words
        .Concat(RareIdentifiers.All)
        .Concat(CommonPromptWords)
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .ToArray()
        .AsReadOnly();

    /// <summary>Learns the vocabulary (deterministic: the same merges on every run).</summary>
    public static ClipVocabulary Build()
    {
        var builder = new ClipVocabularyBuilder();
        var sampler = new SceneSampler(SceneSamplerOptions.Pretraining with { Styles = Enum.GetValues<RenderStyle>() });
        var writer = new CaptionWriter();
        for (int i = 0; i < SampledCaptions; i++)
        {
            var scene = sampler.Sample(DeterministicRandom.ForItem(CorpusSeed, i, stream: 0));
            builder.AddText(writer.Write(scene, DeterministicRandom.ForItem(CorpusSeed, i, stream: 1)).Text);
        }
        foreach (var word in CorpusWords) builder.AddWord(word);
        return builder.Build();
    }
}
