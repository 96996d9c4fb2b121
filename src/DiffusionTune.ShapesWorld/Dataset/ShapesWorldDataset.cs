namespace DiffusionTune.ShapesWorld;

/// <summary>
/// An endless, random-access stream of shapes-world examples: item <c>index</c> of seed <c>seed</c> is always the
/// same image and caption, on any machine, whatever was read before it, so a training run can resume mid-epoch by
/// index. Scene and caption come from separate random streams of the item, so rewording captions never moves shapes.
/// Thread-safe.
/// </summary>
public sealed class ShapesWorldDataset
{
    const ulong SceneStream = 0, CaptionStream = 1;

    readonly SceneSampler _sampler;
    readonly CaptionWriter _captions;

    /// <param name="seed">The run's seed.</param>
    /// <param name="options">What scenes may contain; pretraining data (no held-out styles) by default.</param>
    /// <param name="imageSize">Width and height of the images.</param>
    /// <param name="captions">How captions are worded; <see cref="CaptionWriter"/>'s defaults if null.</param>
    /// <param name="identifier">A rare identifier (<see cref="RareIdentifiers.All"/>) to put before every shape noun, for fine-tuning sets.</param>
    public ShapesWorldDataset(ulong seed, SceneSamplerOptions? options = null, int imageSize = SceneRenderer.DefaultSize, CaptionWriter? captions = null, string? identifier = null)
    {
        SceneRenderer.CheckSize(imageSize);
        if (identifier is not null && !RareIdentifiers.IsRareIdentifier(identifier))
            throw new ArgumentException($"'{identifier}' is not one of the rare identifiers ({string.Join(", ", RareIdentifiers.All)})", nameof(identifier));
        Seed = seed;
        ImageSize = imageSize;
        Identifier = identifier;
        _sampler = new SceneSampler(options);
        _captions = captions ?? new CaptionWriter();
    }

    public ulong Seed { get; }

    public int ImageSize { get; }

    public string? Identifier { get; }

    public SceneSamplerOptions Options => _sampler.Options;

    /// <summary>The scene and caption of item <paramref name="index"/>, without rendering it (cheap: e.g. to encode all captions up front).</summary>
    public (Scene Scene, Caption Caption) Describe(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var scene = _sampler.Sample(DeterministicRandom.ForItem(Seed, index, SceneStream));
        var caption = _captions.Write(scene, DeterministicRandom.ForItem(Seed, index, CaptionStream), Identifier);
        return (scene, caption);
    }

    /// <summary>Item <paramref name="index"/>, rendered. The caller owns (and disposes) the sample's image.</summary>
    public ShapesWorldSample Get(long index)
    {
        var (scene, caption) = Describe(index);
        return new ShapesWorldSample(index, scene, caption, SceneRenderer.Render(scene, ImageSize));
    }
}
