using System.CommandLine;
using DiffusionTune.Diffusion.Calibration;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Calibration;

namespace DiffusionTune.Cli.Commands.Calibrate;

/// <summary>
/// The <c>calibrate</c> verb: the global and per-block strengths between a base model and a fine-tune that keep the
/// most of what the fine-tune learned within a budget of general drift, written as a calibrated model or LoRA.
/// </summary>
public static class CalibrateCommandDefinition
{
    public static Command Create()
    {
        var search = new CalibrationSettings();
        var baseModel = new Option<string?>("--base") { Description = "The base model: a diffusers folder or single .safetensors file (default: the embedded shapes-world model)" };
        var tuned = new Option<string?>("--tuned") { Description = "The fine-tuned checkpoint (DreamBooth or any full fine-tune of --base); default: the base, so that --lora alone is calibrated" };
        var loras = CommonOptions.Lora("A LoRA-family file merged into the tuned model at STRENGTH (default 1), repeatable; a lone LoRA without --tuned is written back as a LoRA with per-block strengths");
        var conceptPrompts = new Option<string[]>("--concept-prompt") { Description = "A prompt of what the fine-tune learned, with its trigger words, e.g. \"a sks star\" (repeatable, at least one)", DefaultValueFactory = _ => [] };
        var prompts = new Option<string?>("--prompts") { Description = "General prompts, one per line, as damage takes them (default: the shapes world's for its models, a built-in set for others; the empty prompt is always added)" };
        var budget = new Option<string>("--budget")
        {
            Description = "The general drift the calibrated model may keep: a relative drift (0.5% or 0.005, the damage report's rel. figure) or a share of the tuned model's own (0.25x)",
            DefaultValueFactory = _ => "0.5x",
        };
        var driftOptions = new DriftOptions();
        var globalSteps = new Option<int>("--global-steps") { Description = "The global sweep tries α = 0, 1/N … 1", DefaultValueFactory = _ => search.GlobalSteps };
        var globalOnly = new Option<bool>("--global-only") { Description = "Search one α for the whole model, no per-block strengths" };
        var maxEvaluations = new Option<int>("--max-evaluations") { Description = "The most points measured (each a pass of the UNet over the prompts)", DefaultValueFactory = _ => search.MaxEvaluations };
        var output = new Option<string>("--output", "-o") { Description = "The calibrated model (see --model-format) or, for a lone --lora, a .safetensors LoRA; must not exist. The report and plot are written beside it (OUT.calibration.json, OUT.calibration.png)", Required = true };
        var modelFormat = new Option<string?>("--model-format") { Description = "diffusers (a folder) or safetensors (one file) for a model result; with a lone --lora it asks for a merged model instead of a LoRA" };
        modelFormat.AcceptOnlyFromAmong("diffusers", "safetensors");
        var loading = new ModelLoadingOptions();

        var command = new Command("calibrate", "Find the global and per-block strengths between a base model and a fine-tune that keep the most concept fidelity within a general-drift budget, and write the calibrated model or LoRA with a fidelity-vs-drift report")
        {
            baseModel, tuned, loras, conceptPrompts, prompts, budget,
            globalSteps, globalOnly, maxEvaluations, output, modelFormat,
        };
        driftOptions.AddTo(command);
        loading.AddTo(command);
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(token => Task.FromResult(CalibrateCommand.Run(new CalibrateRequest
        {
            Base = result.GetValue(baseModel),
            Tuned = result.GetValue(tuned),
            Loras = (result.GetValue(loras) ?? []).Select(LoraArgument.Parse).ToList(),
            ConceptPrompts = result.GetValue(conceptPrompts)!,
            PromptsFile = result.GetValue(prompts),
            Budget = ParseBudget(result.GetValue(budget)!),
            Drift = driftOptions.Read(result),
            Search = new CalibrationSettings
            {
                GlobalSteps = result.GetValue(globalSteps),
                MaxEvaluations = result.GetValue(maxEvaluations),
                BlockSteps = result.GetValue(globalOnly) ? [] : search.BlockSteps,
            },
            Output = result.GetValue(output)!,
            ModelFormat = result.GetValue(modelFormat),
            Loading = loading.Read(result),
        }, token)), cancellation));
        return command;
    }

    static DriftBudget ParseBudget(string text)
    {
        try
        {
            return DriftBudget.Parse(text);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--budget: {e.Message}", e);
        }
    }
}
