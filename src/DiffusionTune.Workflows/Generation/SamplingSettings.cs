using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.Workflows.Loading;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Generation;

/// <summary>
/// How each image is sampled and how the model is read: what <c>generate</c> and <c>compare</c> share
/// (the CLI reads them from its sampling options). A prompt file's per-prompt fields override them.
/// </summary>
public sealed record SamplingSettings
{
    public string NegativePrompt { get; init; } = "";
    public int Steps { get; init; } = 25;
    public double Cfg { get; init; } = 7.0;
    public string Sampler { get; init; } = "dpmpp_2m_karras";

    /// <summary>Image size; null = the model's native size.</summary>
    public int? Width { get; init; }

    public int? Height { get; init; }
    public int ClipSkip { get; init; } = 1;
    public ModelLoadingSettings Loading { get; init; } = new();

    /// <summary>Loads <paramref name="model"/> (the embedded one when null) as <see cref="Loading"/> says.</summary>
    public StableDiffusionModel LoadModel(string? model, IWorkflowReporter reporter) => Loading.Load(model, reporter);

    /// <summary>The request for <paramref name="job"/>'s images from <paramref name="seed"/> on: its own fields, else these settings.</summary>
    public GenerationRequest Request(PromptJob job, long seed, int batchSize, StableDiffusionModel model) => new()
    {
        Prompt = job.Prompt,
        NegativePrompt = job.NegativePrompt ?? NegativePrompt,
        Steps = job.Steps ?? Steps,
        GuidanceScale = job.Cfg ?? Cfg,
        Sampler = ParseSampler(job.Sampler ?? Sampler),
        Seed = seed,
        Width = job.Width ?? Width ?? model.NativeImageSize,
        Height = job.Height ?? Height ?? model.NativeImageSize,
        BatchSize = batchSize,
        ClipSkip = ClipSkip,
    };

    /// <summary>
    /// Refuses what cannot work with any model, before one is loaded (a host checking settings it is handed): an unknown
    /// sampler, steps, guidance, a size that is not positive, clip skip below 1. The model checks the rest when it runs.
    /// </summary>
    /// <exception cref="ArgumentException">Names the first setting that cannot work.</exception>
    public void ValidateWithoutModel()
    {
        if (Width is <= 0 || Height is <= 0) throw new ArgumentException($"width and height must be positive (got {Width}×{Height})");
        if (ClipSkip < 1) throw new ArgumentException($"clip skip must be at least 1 (got {ClipSkip})");
        new GenerationRequest { Prompt = "", Steps = Steps, GuidanceScale = Cfg, Sampler = ParseSampler(Sampler) }.ValidateSampling();
    }

    /// <summary>The sampler <paramref name="text"/> names (our names or A1111's), or an <see cref="ArgumentException"/> saying why not.</summary>
    public static SamplerChoice ParseSampler(string text)
    {
        try
        {
            return SamplerChoice.Parse(text);
        }
        catch (FormatException e)
        {
            throw new ArgumentException(e.Message);
        }
    }
}
