using System.CommandLine;
using DiffusionTune.ShapesWorld.Evaluation;

namespace DiffusionTune.Cli.Commands.TrainEvaluator;

/// <summary>The <c>train-evaluator</c> verb: trains the shapes-world classifier that <c>evaluate</c> judges images with.</summary>
public static class TrainEvaluatorCommandDefinition
{
    public static Command Create()
    {
        // Built on first use (for --help or a run): its torch defaults would load libtorch, which `doctor` must outlive.
        var defaults = new Lazy<ClassifierTrainingSettings>(() => new ClassifierTrainingSettings());
        var output = new Option<string>("--output", "-o") { Description = "Folder to write the classifier to (config.json + model.safetensors)", Required = true };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps, each on fresh renders", DefaultValueFactory = _ => defaults.Value.Steps };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the training renders, augmentation and initial weights", DefaultValueFactory = _ => defaults.Value.Seed };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per step", DefaultValueFactory = _ => defaults.Value.BatchSize };
        var validation = new Option<int>("--validation-images") { Description = "Fresh held-out renders (another seed) the finished classifier is measured on", DefaultValueFactory = _ => TrainEvaluatorCommand.DefaultValidationImages };
        var device = CommonOptions.Device();
        var precision = CommonOptions.Precision("fp32");

        var command = new Command("train-evaluator", "Train the shapes-world classifier used by 'evaluate' (about 10 minutes on a 2-core CPU)")
        {
            output, steps, seed, batchSize, validation, device, precision,
        };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(token => Task.FromResult(TrainEvaluatorCommand.Run(
            result.GetValue(output)!, result.GetValue(validation), result.GetValue(device)!, result.GetValue(precision)!,
            settings => settings with
            {
                Steps = result.GetValue(steps),
                Seed = result.GetValue(seed),
                BatchSize = result.GetValue(batchSize),
            }, token)), cancellation));
        return command;
    }
}
