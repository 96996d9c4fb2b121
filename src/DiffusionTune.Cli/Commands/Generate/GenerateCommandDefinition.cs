using System.CommandLine;
using DiffusionTune.Workflows.Generation;

namespace DiffusionTune.Cli.Commands.Generate;

/// <summary>The <c>generate</c> verb: text-to-image from a model, writing PNGs with A1111-style metadata.</summary>
public static class GenerateCommandDefinition
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "A diffusers folder or a single-file .safetensors checkpoint (default: the embedded shapes-world model)" };
        var prompt = new Option<string?>("--prompt", "-p") { Description = "The prompt; A1111 weights like (word:1.2) and tags like <lora:NAME:0.8> work" };
        var prompts = new Option<string?>("--prompts") { Description = "A file of prompts: one per line (.txt), or JSON objects per line (.jsonl) whose fields override the options" };
        var seed = new Option<long?>("--seed", "-s") { Description = "Seed of the first image (image i of a batch uses seed + i; each line of --prompts starts where the line before ended); random when omitted" };
        var seeds = new Option<string?>("--seeds") { Description = "Seeds every prompt is made with, one image each (1,5,9); instead of --seed", HelpName = "S1,S2,…" };
        var seedRange = new Option<string?>("--seed-range") { Description = "Like --seeds, for every seed from FIRST to LAST (1-8)", HelpName = "FIRST-LAST" };
        var loraFolders = new Option<string[]>("--lora-dir")
        {
            Description = $"A folder in which prompt tags such as <lora:NAME:0.8> and <hypernet:NAME> find their files (repeatable; then those in ${NetworkFolders.EnvironmentVariable})",
            DefaultValueFactory = _ => [],
        };
        var batchSize = new Option<int>("--batch-size") { Description = "Images generated together", DefaultValueFactory = _ => 1 };
        var batchCount = new Option<int>("--batch-count") { Description = "Batches per prompt", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--output", "-o") { Description = "Output folder (existing images are never overwritten)", DefaultValueFactory = _ => "outputs" };
        var adapters = new AdapterOptions();
        var sampling = new SamplingOptions();

        var command = new Command("generate", "Generate images from text prompts")
        {
            model, prompt, prompts, seed, seeds, seedRange, batchSize, batchCount, output, loraFolders,
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
            Seeds = result.GetValue(seeds),
            SeedRange = result.GetValue(seedRange),
            LoraFolders = result.GetValue(loraFolders)!,
            BatchSize = result.GetValue(batchSize),
            BatchCount = result.GetValue(batchCount),
            Output = result.GetValue(output)!,
            Adapters = adapters.Read(result),
        }, token)), cancellation));
        return command;
    }
}
