using DiffusionTune.Cli.Commands.Generate;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.Models.Runtime;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands;

/// <summary>Loads the model a command names (the embedded one by default) with the user's device, precision and overrides.</summary>
public static class ModelLoading
{
    public static StableDiffusionModel Load(string? model, string device, string precision, string? tokenizer, string? predictionType)
    {
        var resolvedDevice = ComputeDevice.Resolve(device);
        var dtype = Precision.Resolve(precision, resolvedDevice, CommandRunner.WriteWarning);
        var options = new ModelLoadOptions
        {
            Device = resolvedDevice,
            Dtype = dtype,
            TokenizerFolder = tokenizer,
            PredictionType = predictionType is null ? null
                : PredictionTypeNames.TryParse(predictionType, out var type) ? type
                : throw new ArgumentException($"--prediction-type '{predictionType}' is not epsilon or v_prediction"),
        };
        var path = EmbeddedModel.Resolve(model);
        AnsiConsole.MarkupLineInterpolated($"Loading [bold]{path}[/] on {resolvedDevice} ({Precision.NameOf(dtype)}) …");
        return StableDiffusionModel.Load(path, options);
    }
}
