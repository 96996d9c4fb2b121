using DiffusionTune.Diffusion.Schedules;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Pipelines;

/// <summary>How to load a Stable Diffusion model.</summary>
public sealed record ModelLoadOptions
{
    public Device Device { get; init; } = CPU;

    /// <summary>The dtype the UNet and text encoder compute in; the VAE follows it except where fp16 would overflow.</summary>
    public ScalarType Dtype { get; init; } = ScalarType.Float32;

    /// <summary>A tokenizer folder (vocab.json + merges.txt) for single files that carry none.</summary>
    public string? TokenizerFolder { get; init; }

    /// <summary>Overrides the prediction type (needed for SD 2.x single files, which cannot say whether they are v-prediction).</summary>
    public PredictionType? PredictionType { get; init; }
}
