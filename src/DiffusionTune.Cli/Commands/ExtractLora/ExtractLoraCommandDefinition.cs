using System.CommandLine;

namespace DiffusionTune.Cli.Commands.ExtractLora;

/// <summary>The <c>extract-lora</c> verb: turns the difference between a fine-tuned model and its base into a kohya LoRA file.</summary>
public static class ExtractLoraCommandDefinition
{
    public static Command Create()
    {
        var baseModel = new Option<string>("--base") { Description = "The base model: a diffusers folder or a single-file .safetensors checkpoint", Required = true };
        var tuned = new Option<string>("--tuned") { Description = "The fine-tuned model (DreamBooth or any full fine-tune of --base)", Required = true };
        var rank = new Option<int?>("--rank") { Description = "Keep this many singular directions per layer (capped by the layer's full rank)" };
        var energy = new Option<double?>("--energy") { Description = "Instead of --rank: per layer, the smallest rank keeping this share of ‖ΔW‖² (the squared singular values), e.g. 0.9" };
        var maxRank = new Option<int?>("--max-rank") { Description = "With --energy: the largest rank a layer may get [default: 128]" };
        var targets = new Option<string>("--targets")
        {
            Description = "UNet layers to adapt, as the LoRA trainer's targets option: attention (q/k/v/out), transformer (+ proj_in/out, feed-forward; kohya's default) or all (+ resnet and sampler convolutions, LoCon); text-encoder attention and MLP layers are adapted when they changed",
            DefaultValueFactory = _ => "transformer",
        };
        targets.AcceptOnlyFromAmong("attention", "transformer", "all");
        var output = new Option<string>("--output", "-o") { Description = "The LoRA file to write (.safetensors, must not exist)", Required = true };
        var savePrecision = new Option<string>("--save-precision") { Description = "dtype of the LoRA's factors: fp16 (as sd-scripts saves them), bf16 or fp32", DefaultValueFactory = _ => "fp16" };
        savePrecision.AcceptOnlyFromAmong("fp16", "bf16", "fp32");
        var tokenizer = CommonOptions.Tokenizer();

        var command = new Command("extract-lora", "Extract a LoRA from the difference between a fine-tuned model and its base (truncated SVD per layer)")
        {
            baseModel, tuned, rank, energy, maxRank, targets, output, savePrecision, tokenizer,
        };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(token => Task.FromResult(ExtractLoraCommand.Run(new ExtractLoraSettings
        {
            Base = result.GetValue(baseModel)!,
            Tuned = result.GetValue(tuned)!,
            Rank = result.GetValue(rank),
            Energy = result.GetValue(energy),
            MaxRank = result.GetValue(maxRank),
            Targets = result.GetValue(targets)!,
            Output = result.GetValue(output)!,
            SavePrecision = result.GetValue(savePrecision)!,
            Tokenizer = result.GetValue(tokenizer),
        }, token)), cancellation));
        return command;
    }
}

/// <summary>The options of one <c>extract-lora</c> run.</summary>
public sealed record ExtractLoraSettings
{
    public required string Base { get; init; }
    public required string Tuned { get; init; }
    public int? Rank { get; init; }
    public double? Energy { get; init; }
    public int? MaxRank { get; init; }
    public string Targets { get; init; } = "transformer";
    public required string Output { get; init; }
    public string SavePrecision { get; init; } = "fp16";
    public string? Tokenizer { get; init; }
}
