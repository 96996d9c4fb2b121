using System.CommandLine;
using DiffusionTune.ShapesWorld.Pretraining;

namespace DiffusionTune.Cli.Commands.Pretrain;

/// <summary>The <c>pretrain</c> verb: trains the embedded shapes-world model from scratch (resumable).</summary>
public static class PretrainCommandDefinition
{
    public static Command Create()
    {
        // Built on first use (for --help or a run): its torch defaults would load libtorch, which `doctor` must outlive.
        var defaults = new Lazy<PretrainSettings>(() => new PretrainSettings { RunFolder = "" });
        var run = new Option<string>("--run") { Description = "Run folder for checkpoints, logs (TensorBoard) and sample grids; an existing run is resumed", DefaultValueFactory = _ => Path.Combine("runs", "shapes-world") };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the finished model (a diffusers folder)", DefaultValueFactory = _ => Path.Combine("models", "shapes-world") };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the data, initialisation and noise: the same seed reproduces the same model", DefaultValueFactory = _ => defaults.Value.Seed };
        var vaeSteps = new Option<int>("--vae-steps") { Description = "Stage 1 (VAE) optimizer steps", DefaultValueFactory = _ => defaults.Value.VaeSteps };
        var vaeBatch = new Option<int>("--vae-batch-size") { Description = "Stage 1 images per step", DefaultValueFactory = _ => defaults.Value.VaeBatchSize };
        var steps = new Option<int>("--steps") { Description = "Stage 2 (UNet + text encoder) optimizer steps", DefaultValueFactory = _ => defaults.Value.DenoiserSteps };
        var batch = new Option<int>("--batch-size") { Description = "Stage 2 images per step", DefaultValueFactory = _ => defaults.Value.DenoiserBatchSize };
        var learningRate = new Option<double>("--learning-rate") { Description = "Stage 2 peak learning rate", DefaultValueFactory = _ => defaults.Value.DenoiserLearningRate };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Steps between checkpoints (and sample grids)", DefaultValueFactory = _ => defaults.Value.CheckpointEvery };
        var device = CommonOptions.Device();
        var precision = CommonOptions.Precision("bf16");

        var command = new Command("pretrain", "Pretrain the embedded shapes-world model from scratch (about two hours on a 2-core CPU; stop with Ctrl+C and rerun to resume)")
        {
            run, output, seed, vaeSteps, vaeBatch, steps, batch, learningRate, checkpointEvery, device, precision,
        };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(token => Task.FromResult(PretrainCommand.Run(
            result.GetValue(run)!, result.GetValue(output)!, result.GetValue(device)!, result.GetValue(precision)!,
            settings => settings with
            {
                Seed = result.GetValue(seed),
                VaeSteps = result.GetValue(vaeSteps),
                VaeBatchSize = result.GetValue(vaeBatch),
                DenoiserSteps = result.GetValue(steps),
                DenoiserBatchSize = result.GetValue(batch),
                DenoiserLearningRate = result.GetValue(learningRate),
                CheckpointEvery = result.GetValue(checkpointEvery),
            }, token)), cancellation));
        return command;
    }
}
