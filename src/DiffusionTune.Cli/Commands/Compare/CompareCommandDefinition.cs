using System.CommandLine;
using DiffusionTune.Workflows.Comparison;
using DiffusionTune.Workflows.Loading;

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
        var embeddings = CommonOptions.Embeddings();
        var prompt = new Option<string[]>("--prompt", "-p") { Description = "A prompt, one row per prompt (repeatable)", DefaultValueFactory = _ => [] };
        var prompts = new Option<string?>("--prompts") { Description = "A file of prompts: one per line (.txt), or JSON objects per line (.jsonl) with per-prompt overrides" };
        var seed = new Option<long>("--seed", "-s") { Description = "Seed of every column's image in a row", DefaultValueFactory = _ => 1 };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per prompt (seed, seed+1, …): one row each", DefaultValueFactory = _ => 1 };
        var xAxis = new Option<string?>("--x") { Description = "Columns over a sampling setting, for each model and adapter: cfg, steps, sampler, seed or prompt, with its values (prompts separated by |)", HelpName = "AXIS:V1,V2,…" };
        var yAxis = new Option<string?>("--y") { Description = "Rows over a sampling setting, like --x, for each prompt (--y prompt:… gives the prompts)", HelpName = "AXIS:V1,V2,…" };
        var output = new Option<string>("--output", "-o") { Description = "Folder of the cell images, grid.png and comparison.json; images already made there are reused", DefaultValueFactory = _ => Path.Combine("outputs", "compare") };
        var sampling = new SamplingOptions();

        var command = new Command("compare",
            "Generate over several checkpoints and adapters at once: an X/Y grid of prompts (rows) against checkpoints, LoRAs, hypernetworks or strengths (columns), same seeds; resumable")
        {
            models, loras, hypernetworks, includeBase, embeddings, prompt, prompts, seed, seeds, xAxis, yAxis, output,
        };
        sampling.AddTo(command);
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(token =>
        {
            var x = result.GetValue(xAxis) is { } xText ? ComparisonSetting.ParseAxis("--x", xText) : null;
            var y = result.GetValue(yAxis) is { } yText ? ComparisonSetting.ParseAxis("--y", yText) : null;
            if (x is not null && y is not null && x[0].Axis == y[0].Axis) throw new ArgumentException($"--x and --y are both {x[0].Axis.ToString().ToLowerInvariant()}: give two different axes");
            var modelPaths = ComparisonAxes.Models(result.GetValue(models)!);
            var adapters = ComparisonAxes.Adapters(AdapterKind.Lora, result.GetValue(loras)!)
                .Concat(ComparisonAxes.Adapters(AdapterKind.Hypernetwork, result.GetValue(hypernetworks)!)).ToList();
            var plan = new ComparisonPlan
            {
                Columns = ComparisonAxes.WithSettings(ComparisonAxes.Columns(modelPaths.Count > 0 ? modelPaths : [EmbeddedModel.Resolve(null)], adapters, result.GetValue(includeBase)), x),
                Rows = ComparisonAxes.Rows(result.GetValue(prompt)!, result.GetValue(prompts), result.GetValue(seed), result.GetValue(seeds), y, columnsGivePrompts: x?[0].Axis == SettingAxis.Prompt),
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
