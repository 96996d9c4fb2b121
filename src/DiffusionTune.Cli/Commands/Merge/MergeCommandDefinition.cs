using System.CommandLine;
using DiffusionTune.Workflows.Loading;

namespace DiffusionTune.Cli.Commands.Merge;

/// <summary>
/// The <c>merge</c> verb: interpolates between a base model and a fine-tune of it (global or per-block α), or bakes
/// per-block strengths into a LoRA file.
/// </summary>
public static class MergeCommandDefinition
{
    public static Command Create()
    {
        var baseModel = new Option<string?>("--base") { Description = "The base model: a diffusers folder or a single-file .safetensors checkpoint" };
        var tuned = new Option<string?>("--tuned") { Description = "The fine-tuned model (DreamBooth or any full fine-tune of --base, same architecture)" };
        var lora = new Option<string?>("--lora") { Description = "Instead of --base/--tuned: a LoRA file to rescale per block into a new LoRA file (kohya format)", HelpName = "FILE" };
        var model = new Option<string?>("--model", "-m") { Description = "With --lora: the model the LoRA is for, whose layer names its keys are resolved against (default: the embedded shapes-world model)" };
        var alpha = BlockWeightsArgument.Option($"How far to move from the base towards the tuned model (0 = base, 1 = tuned), or the LoRA's strength: {BlockWeightsArgument.Syntax}", required: true);
        var output = new Option<string>("--output", "-o") { Description = "Where to write the result (must not exist): a model (see --model-format), or with --lora a .safetensors LoRA file", Required = true };
        var modelFormat = new Option<string?>("--model-format") { Description = "diffusers (a folder) or safetensors (one file); default: by --output's extension" };
        modelFormat.AcceptOnlyFromAmong("diffusers", "safetensors");
        var loading = new ModelLoadingOptions();

        var command = new Command("merge", "Interpolate between a base model and a fine-tune of it (global or per-block α), or bake per-block strengths into a LoRA")
        {
            baseModel, tuned, lora, model, alpha, output, modelFormat,
        };
        loading.AddTo(command);
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(stop => Task.FromResult(MergeCommand.Run(new MergeSettings
        {
            Base = result.GetValue(baseModel),
            Tuned = result.GetValue(tuned),
            Lora = result.GetValue(lora),
            Model = result.GetValue(model),
            Alpha = result.GetValue(alpha)!,
            Output = result.GetValue(output)!,
            ModelFormat = result.GetValue(modelFormat),
            Loading = loading.Read(result),
        }, stop)), cancellation));
        return command;
    }
}

/// <summary>The options of one <c>merge</c> run.</summary>
public sealed record MergeSettings
{
    public string? Base { get; init; }
    public string? Tuned { get; init; }
    public string? Lora { get; init; }
    public string? Model { get; init; }
    public required string Alpha { get; init; }
    public required string Output { get; init; }
    public string? ModelFormat { get; init; }
    public ModelLoadingSettings Loading { get; init; } = new();
}
