using DiffusionTune.Workflows.Generation;
using DiffusionTune.Workflows.Loading;

namespace DiffusionTune.Web.JobKinds;

/// <summary>The sampling settings the generate and compare jobs share, with <c>generate</c>'s defaults.</summary>
public abstract record SamplingJobSettings
{
    static readonly SamplingSettings Defaults = new();

    public string NegativePrompt { get; init; } = Defaults.NegativePrompt;
    public int Steps { get; init; } = Defaults.Steps;
    public double Cfg { get; init; } = Defaults.Cfg;
    public string Sampler { get; init; } = Defaults.Sampler;

    /// <summary>Image size; null: the model's native size.</summary>
    public int? Width { get; init; }

    public int? Height { get; init; }

    /// <summary>The workflow's sampling settings on <paramref name="device"/>, checked as far as they can be without a model.</summary>
    /// <exception cref="ArgumentException">A setting cannot work (the message names it).</exception>
    protected SamplingSettings Sampling(string device)
    {
        var sampling = new SamplingSettings
        {
            NegativePrompt = NegativePrompt,
            Steps = Steps,
            Cfg = Cfg,
            Sampler = Sampler,
            Width = Width,
            Height = Height,
            Loading = new ModelLoadingSettings { Device = device },
        };
        sampling.ValidateWithoutModel();
        return sampling;
    }
}
