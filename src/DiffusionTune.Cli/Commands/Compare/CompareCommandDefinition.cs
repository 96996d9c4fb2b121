using System.CommandLine;
using DiffusionTune.Cli.Commands.Generate;

namespace DiffusionTune.Cli.Commands.Compare;

/// <summary>
/// The <c>compare</c> verb: an X/Y grid of prompts (rows) against checkpoints, LoRAs or LoRA strengths (columns),
/// with the same seeds everywhere.
/// </summary>
public static class CompareCommandDefinition
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model", "-m")
        {
            Description = "Checkpoints to compare (diffusers folders or .safetensors files; repeatable; a glob such as run/dreambooth-step* works). Default: the embedded model",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [],
        };
        var loras = new Option<string[]>("--lora")
        {
            Description = "LoRAs to compare on each model: FILE[:STRENGTH,…], a glob (run/lora-step*.safetensors) or a training output folder (repeatable)",
            HelpName = "FILE|FOLDER|GLOB[:S1,S2,…]",
            AllowMultipleArgumentsPerToken = false,
            DefaultValueFactory = _ => [],
        };
        var includeBase = new Option<bool>("--include-base") { Description = "Also a column for each model without LoRA" };
        var prompt = new Option<string[]>("--prompt", "-p") { Description = "A prompt, one row per prompt (repeatable)", DefaultValueFactory = _ => [] };
        var prompts = new Option<string?>("--prompts") { Description = "A file of prompts: one per line (.txt), or JSON objects per line (.jsonl) with per-prompt overrides" };
        var seed = new Option<long>("--seed", "-s") { Description = "Seed of every column's image in a row", DefaultValueFactory = _ => 1 };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per prompt (seed, seed+1, …): one row each", DefaultValueFactory = _ => 1 };
        var negative = new Option<string>("--negative-prompt", "-n") { Description = "What to steer away from", DefaultValueFactory = _ => "" };
        var steps = new Option<int>("--steps") { Description = "Sampling steps", DefaultValueFactory = _ => 25 };
        var cfg = new Option<double>("--cfg") { Description = "Classifier-free guidance scale", DefaultValueFactory = _ => 7.0 };
        var sampler = new Option<string>("--sampler") { Description = "ddim, euler, euler_a, dpmpp_2m, with _karras for Karras sigmas", DefaultValueFactory = _ => "dpmpp_2m_karras" };
        var width = new Option<int?>("--width", "-W") { Description = "Image width in pixels (default: the model's native size)" };
        var height = new Option<int?>("--height", "-H") { Description = "Image height in pixels (default: the model's native size)" };
        var clipSkip = new Option<int>("--clip-skip") { Description = "1 = the text encoder's last layer, 2 = the penultimate", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--output", "-o") { Description = "Folder of the cell images, grid.png and comparison.json; images already there are reused", DefaultValueFactory = _ => Path.Combine("outputs", "compare") };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder (vocab.json + merges.txt) for single files that carry none" };
        var prediction = new Option<string?>("--prediction-type") { Description = "epsilon or v_prediction, for SD 2.x single files" };
        var device = CommonOptions.Device();
        var precision = CommonOptions.Precision("fp32");

        var command = new Command("compare", "Generate an X/Y grid: prompts (rows) against checkpoints, LoRAs or LoRA strengths (columns), same seeds; resumable")
        {
            models, loras, includeBase, prompt, prompts, seed, seeds, negative, steps, cfg, sampler, width, height, clipSkip, output,
            tokenizer, prediction, device, precision,
        };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(token =>
        {
            var modelPaths = ComparisonAxes.Models(result.GetValue(models)!);
            var plan = new ComparisonPlan
            {
                Columns = ComparisonAxes.Columns(modelPaths.Count > 0 ? modelPaths : [EmbeddedModel.Resolve(null)],
                    ComparisonAxes.Loras(result.GetValue(loras)!), result.GetValue(includeBase)),
                Rows = CompareCommand.Rows(result.GetValue(prompt)!, result.GetValue(prompts), result.GetValue(seed), result.GetValue(seeds)),
                Output = result.GetValue(output)!,
                NegativePrompt = result.GetValue(negative)!,
                Steps = result.GetValue(steps),
                Cfg = result.GetValue(cfg),
                Sampler = result.GetValue(sampler)!,
                Width = result.GetValue(width),
                Height = result.GetValue(height),
                ClipSkip = result.GetValue(clipSkip),
                Tokenizer = result.GetValue(tokenizer),
                PredictionType = result.GetValue(prediction),
                Device = result.GetValue(device)!,
                Precision = result.GetValue(precision)!,
            };
            return Task.FromResult(CompareCommand.Run(plan, token));
        }, cancellation));
        return command;
    }
}
