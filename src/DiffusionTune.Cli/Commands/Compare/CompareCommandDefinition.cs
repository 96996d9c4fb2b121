using System.CommandLine;
using DiffusionTune.Cli.Commands.Generate;

namespace DiffusionTune.Cli.Commands.Compare;

/// <summary>
/// The <c>compare</c> verb: batch generation over several checkpoints and adapters at once, as an X/Y grid of prompts
/// (rows) against checkpoints, LoRAs, hypernetworks and their strengths (columns), with the same seeds everywhere.
/// </summary>
public static class CompareCommandDefinition
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model", "-m")
        {
            Description = "Checkpoints to compare (diffusers folders or .safetensors files; repeatable; a glob such as outputs/train/dreambooth-step* works). Default: the embedded model",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [],
        };
        var loras = AdapterOption("--lora", "LoRAs to compare on each model: a file, a glob (outputs/train/lora-step*.safetensors) or a training output folder, at one or more strengths (repeatable)");
        var hypernetworks = AdapterOption("--hypernetwork", "Hypernetworks (.safetensors or A1111 .pt) to compare on each model, given like --lora (repeatable)");
        var includeBase = new Option<bool>("--include-base") { Description = "Also a column for each model without an adapter" };
        var embeddings = EmbeddingLoading.Option();
        var prompt = new Option<string[]>("--prompt", "-p") { Description = "A prompt, one row per prompt (repeatable)", DefaultValueFactory = _ => [] };
        var prompts = new Option<string?>("--prompts") { Description = "A file of prompts: one per line (.txt), or JSON objects per line (.jsonl) with per-prompt overrides" };
        var seed = new Option<long>("--seed", "-s") { Description = "Seed of every column's image in a row", DefaultValueFactory = _ => 1 };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per prompt (seed, seed+1, …): one row each", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--output", "-o") { Description = "Folder of the cell images, grid.png and comparison.json; images already made there are reused", DefaultValueFactory = _ => Path.Combine("outputs", "compare") };
        var sampling = new SamplingOptions();

        var command = new Command("compare",
            "Generate over several checkpoints and adapters at once: an X/Y grid of prompts (rows) against checkpoints, LoRAs, hypernetworks or strengths (columns), same seeds; resumable")
        {
            models, loras, hypernetworks, includeBase, embeddings, prompt, prompts, seed, seeds, output,
        };
        sampling.AddTo(command);
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(token =>
        {
            var modelPaths = ComparisonAxes.Models(result.GetValue(models)!);
            var adapters = ComparisonAxes.Adapters(AdapterKind.Lora, result.GetValue(loras)!)
                .Concat(ComparisonAxes.Adapters(AdapterKind.Hypernetwork, result.GetValue(hypernetworks)!)).ToList();
            var plan = new ComparisonPlan
            {
                Columns = ComparisonAxes.Columns(modelPaths.Count > 0 ? modelPaths : [EmbeddedModel.Resolve(null)], adapters, result.GetValue(includeBase)),
                Rows = CompareCommand.Rows(result.GetValue(prompt)!, result.GetValue(prompts), result.GetValue(seed), result.GetValue(seeds)),
                Output = result.GetValue(output)!,
                Embeddings = result.GetValue(embeddings),
                Sampling = sampling.Read(result),
            };
            return Task.FromResult(CompareCommand.Run(plan, token));
        }, cancellation));
        return command;
    }

    static Option<string[]> AdapterOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "FILE|FOLDER|GLOB[:S1,S2,…]",
        DefaultValueFactory = _ => [],
    };
}
