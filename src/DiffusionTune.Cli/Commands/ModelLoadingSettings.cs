using DiffusionTune.Diffusion.Pipelines;

namespace DiffusionTune.Cli.Commands;

/// <summary>How a command loads its models (<see cref="ModelLoadingOptions"/>'s values).</summary>
public sealed record ModelLoadingSettings
{
    public string? Tokenizer { get; init; }
    public string? PredictionType { get; init; }
    public string Device { get; init; } = "auto";
    public string Precision { get; init; } = "fp32";

    /// <summary>Loads <paramref name="model"/> (the embedded model when null) this way.</summary>
    public StableDiffusionModel Load(string? model) => ModelLoading.Load(model, Device, Precision, Tokenizer, PredictionType);
}
