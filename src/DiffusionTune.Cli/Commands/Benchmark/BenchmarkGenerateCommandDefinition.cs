using System.CommandLine;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary><c>benchmark generate</c>: seconds per sampler step and per image of the text-to-image pipeline, against a peer's figures.</summary>
public static class BenchmarkGenerateCommandDefinition
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = $"Model to run: {BenchmarkModel.ConfigDescription}", DefaultValueFactory = _ => "sd15" };
        var sizes = new Option<int[]>("--size")
        {
            Description = "Square image sizes in pixels (repeatable)",
            DefaultValueFactory = _ => [256, 512],
            AllowMultipleArgumentsPerToken = true,
        };
        var precisions = BenchmarkCommandDefinition.PrecisionsOption();
        var steps = new Option<int>("--steps") { Description = "Sampler steps per image", DefaultValueFactory = _ => 10 };
        var cfgs = new Option<double[]>("--cfg")
        {
            Description = "Guidance scales (repeatable); 1 runs one UNet pass per step instead of two",
            DefaultValueFactory = _ => [7, 1],
            AllowMultipleArgumentsPerToken = true,
        };
        var sampler = new Option<string>("--sampler") { Description = "Sampler, as for generate", DefaultValueFactory = _ => "euler" };
        var peers = new Option<string[]>("--peer-seconds-per-step")
        {
            Description = "A peer's figures measured on this machine, SIZE:CFG=SECONDS_PER_STEP[/SECONDS_PER_IMAGE] (repeatable, e.g. 256:7=4.1/54); "
                + "without it the ratios are against stable-diffusion.cpp figures recorded earlier, not in this run",
            AllowMultipleArgumentsPerToken = true,
        };
        var json = BenchmarkCommandDefinition.JsonOption();
        var device = CommonOptions.Device();
        var command = new Command("generate", "Seconds per sampler step, text encoding, VAE decode and per image, and peak memory, of the generate pipeline")
        {
            config, sizes, precisions, steps, cfgs, sampler, peers, json, device,
        };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ => Task.FromResult(BenchmarkGenerateCommand.Run(new BenchmarkGenerateSettings(
            result.GetValue(config)!, result.GetValue(sizes)!, result.GetValue(precisions)!, result.GetValue(steps), result.GetValue(cfgs)!,
            result.GetValue(sampler)!, result.GetValue(peers) ?? [], result.GetValue(json), result.GetValue(device)!), cancellation)), cancellation));
        return command;
    }
}

public sealed record BenchmarkGenerateSettings(string Config, int[] Sizes, string[] Precisions, int Steps, double[] Cfgs, string Sampler,
    string[] PeerSecondsPerStep, string? Json, string Device);
