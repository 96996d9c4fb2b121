using System.CommandLine;
using DiffusionTune.Training.Optimization;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary><c>benchmark train</c>: seconds per optimizer step and peak memory of trainer plugins on a real-size model.</summary>
public static class BenchmarkTrainCommandDefinition
{
    public static Command Create()
    {
        var config = new Option<string>("--config")
        {
            Description = $"Model to train: {BenchmarkModel.ConfigDescription}",
            DefaultValueFactory = _ => "sd15",
        };
        var trainers = new Option<string[]>("--trainer") { Description = "Trainer plugins to measure (repeatable)", DefaultValueFactory = _ => ["lora", "dreambooth"], AllowMultipleArgumentsPerToken = true };
        var latentSize = BenchmarkCommandDefinition.LatentSizeOption(32);
        var batch = new Option<int>("--batch") { Description = "Images per step", DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "Timed steps per measurement (after one warm-up step); the median is reported", DefaultValueFactory = _ => 3 };
        var checkpointing = new Option<bool>("--gradient-checkpointing") { Description = "Measure with gradient checkpointing on" };
        var moments = new Option<string>("--optimizer-moments") { Description = "How AdamW stores its moments: fp32 or bf16", DefaultValueFactory = _ => "fp32" };
        moments.AcceptOnlyFromAmong("fp32", "bf16");
        var precisions = BenchmarkCommandDefinition.PrecisionsOption();
        var json = BenchmarkCommandDefinition.JsonOption();
        var folders = CommonOptions.PluginsFolder();
        var device = CommonOptions.Device();
        var command = new Command("train", "Seconds per training step (forward, backward, AdamW with fp32 masters) and peak memory, per trainer and precision")
        {
            config, trainers, latentSize, batch, steps, checkpointing, moments, precisions, json, folders, device,
        };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ => Task.FromResult(BenchmarkTrainCommand.Run(new BenchmarkTrainSettings(
            result.GetValue(config)!, result.GetValue(trainers)!, result.GetValue(latentSize), result.GetValue(batch), result.GetValue(steps),
            result.GetValue(checkpointing), result.GetValue(moments) == "bf16" ? MomentPrecision.Bf16 : MomentPrecision.Fp32, result.GetValue(precisions)!, result.GetValue(json), result.GetValue(folders)!, result.GetValue(device)!))), cancellation));
        return command;
    }
}

public sealed record BenchmarkTrainSettings(string Config, string[] Trainers, int LatentSize, int Batch, int Steps, bool GradientCheckpointing, MomentPrecision OptimizerMoments,
    string[] Precisions, string? Json, string[] PluginFolders, string Device);
