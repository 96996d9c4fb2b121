using System.CommandLine;
using DiffusionTune.Workflows.Adapters;

namespace DiffusionTune.Cli.Commands.Evaluate;

/// <summary>The <c>evaluate</c> verb: prompt adherence, diversity and drift of a shapes-world model, judged by the evaluator classifier.</summary>
public static class EvaluateCommandDefinition
{
    public static Command Create()
    {
        var defaults = new EvaluateSettings { PromptsFile = "" };
        var model = new Option<string?>("--model", "-m") { Description = "The model to evaluate: a diffusers folder or single .safetensors file (default: the embedded shapes-world model)" };
        var reference = new Option<string?>("--reference") { Description = "A model to compare with on the same prompts and seeds (e.g. the base of a fine-tune): adds adherence change and Fréchet distance" };
        var prompts = new Option<string>("--prompts") { Description = "A plain text file of prompts, one per line (# starts a comment)", Required = true };
        var seeds = new Option<int>("--seeds") { Description = "Images per prompt (seeds 0 … N-1)", DefaultValueFactory = _ => defaults.Seeds };
        var steps = new Option<int>("--steps") { Description = "Sampling steps", DefaultValueFactory = _ => defaults.Steps };
        var cfg = new Option<double>("--cfg") { Description = "Classifier-free guidance scale", DefaultValueFactory = _ => defaults.Cfg };
        var sampler = new Option<string>("--sampler") { Description = "ddim, euler, euler_a, dpmpp_2m, with _karras for Karras sigmas", DefaultValueFactory = _ => defaults.Sampler };
        var batchSize = new Option<int>("--batch-size") { Description = "Images generated together (does not change the images)", DefaultValueFactory = _ => defaults.BatchSize };
        var evaluator = new Option<string?>("--evaluator") { Description = "The classifier folder (default: the shipped shapes-world evaluator)" };
        var output = new Option<string>("--output", "-o") { Description = "Folder for the JSON report and contact sheets (existing files are never overwritten)", DefaultValueFactory = _ => defaults.Output };
        var device = CommonOptions.Device();
        var precision = CommonOptions.Precision("fp32");
        var adapters = new AdapterOptions();

        var command = new Command("evaluate", "Measure a shapes-world model's prompt adherence and diversity, and its drift from a reference model")
        {
            model, reference, prompts, seeds, steps, cfg, sampler, batchSize, evaluator, output, device, precision,
        };
        // The adapters apply to the evaluated model only, so that --reference can be its base.
        adapters.AddTo(command);
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(token => Task.FromResult(EvaluateCommand.Run(new EvaluateSettings
        {
            Model = result.GetValue(model),
            Reference = result.GetValue(reference),
            PromptsFile = result.GetValue(prompts)!,
            Seeds = result.GetValue(seeds),
            Steps = result.GetValue(steps),
            Cfg = result.GetValue(cfg),
            Sampler = result.GetValue(sampler)!,
            BatchSize = result.GetValue(batchSize),
            Evaluator = result.GetValue(evaluator),
            Output = result.GetValue(output)!,
            Device = result.GetValue(device)!,
            Precision = result.GetValue(precision)!,
            Adapters = adapters.Read(result),
        }, token)), cancellation));
        return command;
    }
}

public sealed record EvaluateSettings
{
    public string? Model { get; init; }
    public string? Reference { get; init; }
    public required string PromptsFile { get; init; }
    public int Seeds { get; init; } = 16;
    public int Steps { get; init; } = 25;
    public double Cfg { get; init; } = 5;
    public string Sampler { get; init; } = "ddim";
    public int BatchSize { get; init; } = 8;
    public string? Evaluator { get; init; }
    public string Output { get; init; } = "evaluations";
    public string Device { get; init; } = "auto";
    public string Precision { get; init; } = "fp32";
    public ModelAdapters Adapters { get; init; } = new();
}
