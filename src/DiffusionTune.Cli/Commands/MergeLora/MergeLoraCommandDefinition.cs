using System.CommandLine;
using DiffusionTune.Workflows.Loading;

namespace DiffusionTune.Cli.Commands.MergeLora;

/// <summary>The <c>merge-lora</c> verb: bakes LoRAs into a model's weights and writes the result as a new model.</summary>
public static class MergeLoraCommandDefinition
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "The base model: a diffusers folder or a single-file .safetensors checkpoint (default: the embedded shapes-world model)" };
        var loras = CommonOptions.Lora("A LoRA-family file to merge at STRENGTH (default 1); repeat to merge several, in order", gateable: false);
        var alpha = BlockWeightsArgument.Option("Strength per block, multiplying each --lora's STRENGTH: 0.6 or in=…,mid=…,out=…,attn=…,resnet=…,te=… (see merge --help)", required: false);
        var output = new Option<string>("--output", "-o") { Description = "Where to write the merged model: a .safetensors path gives a single file (as A1111/ComfyUI load), any other path a diffusers folder; it must not exist yet", Required = true };
        var loading = new ModelLoadingOptions();

        var command = new Command("merge-lora", "Merge LoRAs into a model's weights and save it as a new model")
        {
            model, loras, alpha, output,
        };
        loading.AddTo(command);
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(stop => Task.FromResult(MergeLoraCommand.Run(new MergeLoraSettings
        {
            Model = result.GetValue(model),
            Loras = result.GetValue(loras) ?? [],
            Alpha = result.GetValue(alpha),
            Output = result.GetValue(output)!,
            Loading = loading.Read(result),
        }, stop)), cancellation));
        return command;
    }
}

/// <summary>The options of one <c>merge-lora</c> run.</summary>
public sealed record MergeLoraSettings
{
    public string? Model { get; init; }
    public IReadOnlyList<string> Loras { get; init; } = [];
    public string? Alpha { get; init; }
    public required string Output { get; init; }
    public ModelLoadingSettings Loading { get; init; } = new();
}
