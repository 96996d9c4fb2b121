using System.CommandLine;
using DiffusionTune.Workflows.Damage;

namespace DiffusionTune.Cli.Commands.Damage;

/// <summary>
/// The <c>damage</c> verb: how far a fine-tune (a checkpoint, LoRAs, embeddings, hypernetworks, or a stack of them)
/// moved its base model's noise predictions, on general prompts and on concept prompts.
/// </summary>
public static class DamageCommandDefinition
{
    public static Command Create()
    {
        var baseModel = new Option<string?>("--base") { Description = "The base model: a diffusers folder or single .safetensors file (default: the embedded shapes-world model)" };
        var tuned = new Option<string?>("--tuned") { Description = "The fine-tuned model (default: the base, so that --lora, --embeddings and --hypernetwork alone are measured)" };
        var adapters = new AdapterOptions("A LoRA-family file applied to the tuned model at STRENGTH (default 1), only to prompts containing TRIGGER when given as FILE@TRIGGER; repeat to stack several");
        var prompts = new Option<string?>("--prompts") { Description = "General prompts, one per line (# starts a comment); default: the shapes world's general prompts for its models, a built-in set for others. The empty prompt is always added" };
        var conceptPrompts = new Option<string[]>("--concept-prompt") { Description = "A prompt of what the fine-tune learned, e.g. \"a sks star\" (repeatable): its drift is the concept change", DefaultValueFactory = _ => [] };
        var drift = new DriftOptions();
        var evaluate = new Option<bool>("--evaluate") { Description = "Also generate images with both models and compare them with the shapes-world evaluator (adherence, diversity, Fréchet distance)" };
        var evaluateSeeds = new Option<int>("--evaluate-seeds") { Description = "Images per prompt for --evaluate", DefaultValueFactory = _ => 8 };
        var evaluator = new Option<string?>("--evaluator") { Description = "The classifier folder for --evaluate (default: the shipped shapes-world evaluator)" };
        var output = new Option<string?>("--output", "-o") { Description = "The JSON report (default: outputs/damage/NAME.damage.json)" };
        var loading = new ModelLoadingOptions();

        var command = new Command("damage", "Measure what a fine-tune changed: the drift of the noise predictions from the base model's, on general prompts (damage) and concept prompts (what it learned), per timestep and per UNet block")
        {
            baseModel, tuned, prompts, conceptPrompts,
            evaluate, evaluateSeeds, evaluator, output,
        };
        drift.AddTo(command);
        loading.AddTo(command);
        adapters.AddTo(command);
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(token => Task.FromResult(DamageCommand.Run(new DamageRequest
        {
            Base = result.GetValue(baseModel),
            Tuned = result.GetValue(tuned),
            Adapters = adapters.Read(result),
            PromptsFile = result.GetValue(prompts),
            ConceptPrompts = result.GetValue(conceptPrompts)!,
            Drift = drift.Read(result),
            EvaluationSeeds = result.GetValue(evaluate) ? result.GetValue(evaluateSeeds) : null,
            Evaluator = result.GetValue(evaluator),
            Loading = loading.Read(result),
        }, result.GetValue(output), token)), cancellation));
        return command;
    }
}
