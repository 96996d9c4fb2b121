using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.IO.Images;
using DiffusionTune.Models.Clip;

namespace DiffusionTune.Diffusion.Pipelines;

/// <summary>
/// One text-to-image job: a batch of images that share every setting; image i uses seed <c>Seed + i</c> (as A1111 does),
/// unless <see cref="RowSeeds"/> and <see cref="RowPrompts"/> give each image its own seed and prompt.
/// </summary>
public sealed record GenerationRequest
{
    public required string Prompt { get; init; }

    public string NegativePrompt { get; init; } = "";

    public int Steps { get; init; } = 25;

    /// <summary>Classifier-free guidance scale; 1 disables guidance (one UNet pass per step instead of two).</summary>
    public double GuidanceScale { get; init; } = 7.5;

    public SamplerChoice Sampler { get; init; } = new(SamplerKind.DpmPlusPlus2M, Karras: true);

    public long Seed { get; init; }

    public int Width { get; init; }

    public int Height { get; init; }

    public int BatchSize { get; init; } = 1;

    /// <summary>1 = the text encoder's last layer, 2 = the penultimate (A1111's "Clip skip").</summary>
    public int ClipSkip { get; init; } = 1;

    public LongPromptHandling LongPrompts { get; init; } = LongPromptHandling.Chunk;

    /// <summary>Each image's own seed, for a batch of images from other lines or seed lists; null: <c>Seed + i</c>.</summary>
    public IReadOnlyList<long>? RowSeeds { get; init; }

    /// <summary>Each image's own prompt, for a batch that mixes prompts of the same size and settings; null: <see cref="Prompt"/> for all.</summary>
    public IReadOnlyList<string>? RowPrompts { get; init; }

    public IReadOnlyList<long> Seeds => RowSeeds ?? Enumerable.Range(0, BatchSize).Select(i => Seed + i).ToArray();

    /// <summary>Each image's prompt.</summary>
    public IReadOnlyList<string> Prompts => RowPrompts ?? Enumerable.Repeat(Prompt, BatchSize).ToArray();

    /// <summary>The A1111-style metadata of image <paramref name="seed"/> of this request made with <paramref name="model"/>.</summary>
    public GenerationParameters ParametersFor(long seed, StableDiffusionModel model) => new()
    {
        Prompt = Prompt,
        NegativePrompt = NegativePrompt,
        Steps = Steps,
        Sampler = Sampler.DisplayName,
        CfgScale = GuidanceScale,
        Seed = seed,
        Width = Width,
        Height = Height,
        ModelHash = model.ShortHash,
        ModelName = model.Name,
        ClipSkip = ClipSkip > 1 ? ClipSkip : null,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work with <paramref name="model"/>.</summary>
    public void Validate(StableDiffusionModel model)
    {
        int multiple = model.VaeScaleFactor;
        if (Width <= 0 || Height <= 0 || Width % multiple != 0 || Height % multiple != 0)
            throw new ArgumentException($"width and height must be positive multiples of {multiple} for this model (got {Width}×{Height})");
        ValidateSampling();
        int layers = model.TextEncoder.Config.NumHiddenLayers;
        if (ClipSkip < 1 || ClipSkip > layers) throw new ArgumentException($"clip skip must be between 1 and {layers} (got {ClipSkip})");
    }

    /// <summary>
    /// The checks that need no model (steps, guidance, batch): what a host can refuse before it loads anything.
    /// </summary>
    /// <exception cref="ArgumentException">Names the first setting that cannot work.</exception>
    public void ValidateSampling()
    {
        if (Steps < 1 || Steps > 1000) throw new ArgumentException($"steps must be between 1 and 1000 (got {Steps})");
        if (GuidanceScale < 0 || double.IsNaN(GuidanceScale)) throw new ArgumentException($"the guidance scale must be at least 0 (got {GuidanceScale})");
        if (BatchSize < 1) throw new ArgumentException($"the batch size must be at least 1 (got {BatchSize})");
        if (RowSeeds is not null && RowSeeds.Count != BatchSize || RowPrompts is not null && RowPrompts.Count != BatchSize)
            throw new ArgumentException($"a batch of {BatchSize} image(s) needs as many seeds and prompts");
    }
}
