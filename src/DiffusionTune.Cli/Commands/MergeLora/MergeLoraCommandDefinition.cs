using System.CommandLine;

namespace DiffusionTune.Cli.Commands.MergeLora;

/// <summary>The <c>merge-lora</c> verb: bakes LoRAs into a model's weights and writes the result as a new model.</summary>
public static class MergeLoraCommandDefinition
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "The base model: a diffusers folder or a single-file .safetensors checkpoint (default: the embedded shapes-world model)" };
        var loras = LoraArgument.Option("A LoRA-family file to merge at STRENGTH (default 1); repeat to merge several, in order");
        var output = new Option<string>("--output", "-o") { Description = "Where to write the merged model: a .safetensors path gives a single file (as A1111/ComfyUI load), any other path a diffusers folder; it must not exist yet", Required = true };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder (vocab.json + merges.txt) for single files that carry none" };
        var prediction = new Option<string?>("--prediction-type") { Description = "epsilon or v_prediction; needed for SD 2.x single files of the 512-base kind (v is assumed)" };
        var device = CommonOptions.Device();
        var precision = CommonOptions.Precision("fp32");

        var command = new Command("merge-lora", "Merge LoRAs into a model's weights and save it as a new model")
        {
            model, loras, output, tokenizer, prediction, device, precision,
        };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ => Task.FromResult(MergeLoraCommand.Run(new MergeLoraSettings
        {
            Model = result.GetValue(model),
            Loras = result.GetValue(loras) ?? [],
            Output = result.GetValue(output)!,
            Tokenizer = result.GetValue(tokenizer),
            PredictionType = result.GetValue(prediction),
            Device = result.GetValue(device)!,
            Precision = result.GetValue(precision)!,
        })), cancellation));
        return command;
    }
}

/// <summary>The options of one <c>merge-lora</c> run.</summary>
public sealed record MergeLoraSettings
{
    public string? Model { get; init; }
    public IReadOnlyList<string> Loras { get; init; } = [];
    public required string Output { get; init; }
    public string? Tokenizer { get; init; }
    public string? PredictionType { get; init; }
    public string Device { get; init; } = "auto";
    public string Precision { get; init; } = "fp32";
}
