using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.Models.Runtime;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Loading;

/// <summary>
/// How a workflow loads its models: the one place that resolves the device and the precision the user asked for
/// (<c>auto</c>, <c>fp16</c> on a CPU, …) and the tokenizer and prediction-type overrides.
/// </summary>
public sealed record ModelLoadingSettings
{
    public string? Tokenizer { get; init; }
    public string? PredictionType { get; init; }
    public string Device { get; init; } = "auto";
    public string Precision { get; init; } = "fp32";

    /// <summary>Loads <paramref name="model"/> (the embedded model when null) this way, saying what it loads.</summary>
    /// <exception cref="ArgumentException">The prediction type or the device is not one DiffusionTune knows.</exception>
    public StableDiffusionModel Load(string? model, IWorkflowReporter reporter)
    {
        var resolvedDevice = ComputeDevice.Resolve(Device);
        var dtype = Models.Runtime.Precision.Resolve(Precision, resolvedDevice, reporter.Warning);
        var options = new ModelLoadOptions
        {
            Device = resolvedDevice,
            Dtype = dtype,
            TokenizerFolder = Tokenizer,
            PredictionType = PredictionType is null ? null
                : PredictionTypeNames.TryParse(PredictionType, out var type) ? type
                : throw new ArgumentException($"--prediction-type '{PredictionType}' is not epsilon or v_prediction"),
        };
        var path = EmbeddedModel.Resolve(model);
        reporter.Message($"Loading {path} on {resolvedDevice} ({Models.Runtime.Precision.NameOf(dtype)}) …");
        return StableDiffusionModel.Load(path, options);
    }
}
