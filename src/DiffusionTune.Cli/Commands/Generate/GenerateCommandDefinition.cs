using System.CommandLine;

namespace DiffusionTune.Cli.Commands.Generate;

/// <summary>The <c>generate</c> verb: text-to-image from a model, writing PNGs with A1111-style metadata.</summary>
public static class GenerateCommandDefinition
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "A diffusers folder or a single-file .safetensors checkpoint (default: the embedded shapes-world model)" };
        var prompt = new Option<string?>("--prompt", "-p") { Description = "The prompt; A1111 weights like (word:1.2) work" };
        var prompts = new Option<string?>("--prompts") { Description = "A file of prompts: one per line (.txt), or JSON objects per line (.jsonl) whose fields override the options" };
        var seed = new Option<long?>("--seed", "-s") { Description = "Seed of the first image (image i of a batch uses seed + i); random when omitted" };
        var batchSize = new Option<int>("--batch-size") { Description = "Images generated together", DefaultValueFactory = _ => 1 };
        var batchCount = new Option<int>("--batch-count") { Description = "Batches per prompt", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--output", "-o") { Description = "Output folder (existing images are never overwritten)", DefaultValueFactory = _ => "outputs" };
        var adapters = new AdapterOptions();
        var sampling = new SamplingOptions();

        var command = new Command("generate", "Generate images from text prompts")
        {
            model, prompt, prompts, seed, batchSize, batchCount, output,
        };
        adapters.AddTo(command);
        sampling.AddTo(command);
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(token => Task.FromResult(GenerateCommand.Run(new GenerateSettings
        {
            Model = result.GetValue(model),
            Prompt = result.GetValue(prompt),
            PromptsFile = result.GetValue(prompts),
            Sampling = sampling.Read(result),
            Seed = result.GetValue(seed),
            BatchSize = result.GetValue(batchSize),
            BatchCount = result.GetValue(batchCount),
            Output = result.GetValue(output)!,
            Adapters = adapters.Read(result),
        }, token)), cancellation));
        return command;
    }
}

/// <summary>What <c>generate</c> was asked for.</summary>
public sealed record GenerateSettings
{
    public string? Model { get; init; }
    public string? Prompt { get; init; }
    public string? PromptsFile { get; init; }
    public SamplingSettings Sampling { get; init; } = new();
    public long? Seed { get; init; }
    public int BatchSize { get; init; } = 1;
    public int BatchCount { get; init; } = 1;
    public string Output { get; init; } = "outputs";
    public ModelAdapters Adapters { get; init; } = new();
}
