using System.CommandLine;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary>
/// The <c>benchmark</c> verb: <c>benchmark unet</c> (UNet speed and memory against the machine's measured matmul peak),
/// <c>benchmark train</c> (seconds per training step and peak memory of trainer plugins) and <c>benchmark generate</c>
/// (seconds per sampler step and per image of the text-to-image pipeline).
/// </summary>
public static class BenchmarkCommandDefinition
{
    public static Command Create() => new("benchmark", "Measure speed and memory (figures, not tests)")
    {
        CreateUnet(),
        BenchmarkTrainCommandDefinition.Create(),
        BenchmarkGenerateCommandDefinition.Create(),
    };

    static Command CreateUnet()
    {
        var config = new Option<string>("--config")
        {
            Description = "UNet to measure: sd15, sd2, or the path of a diffusers unet config.json",
            DefaultValueFactory = _ => "sd15",
        };
        var latentSize = LatentSizeOption(32);
        var batch = new Option<int>("--batch") { Description = "Batch size", DefaultValueFactory = _ => 1 };
        var precisions = PrecisionsOption();
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per measurement (after one warm-up run); the median is reported", DefaultValueFactory = _ => 3 };
        var profile = new Option<bool>("--profile") { Description = "Also time every operation alone at its real shape, forward and backward, and print where the time goes" };
        var json = JsonOption();
        var device = CommonOptions.Device();
        var command = new Command("unet", "UNet forward and forward+backward speed and peak memory, as a fraction of this machine's matmul peak")
        {
            config, latentSize, batch, precisions, repeats, profile, json, device,
        };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ => Task.FromResult(BenchmarkCommand.Run(new BenchmarkSettings(
            result.GetValue(config)!, result.GetValue(latentSize), result.GetValue(batch), result.GetValue(precisions)!,
            result.GetValue(repeats), result.GetValue(profile), result.GetValue(json), result.GetValue(device)!))), cancellation));
        return command;
    }

    public static Option<int> LatentSizeOption(int defaultValue) => new("--latent-size")
    {
        Description = "Latent height and width (32 = 256 px images for SD, 64 = 512 px)",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<string[]> PrecisionsOption() => new("--precision")
    {
        Description = "Dtypes to measure (repeatable): fp32, bf16, fp16 (meant for CUDA, slow on the CPU)",
        DefaultValueFactory = _ => ["fp32", "bf16"],
        AllowMultipleArgumentsPerToken = true,
    };

    public static Option<string?> JsonOption() => new("--json") { Description = "Also write the figures to this JSON file" };
}

public sealed record BenchmarkSettings(string Config, int LatentSize, int Batch, string[] Precisions, int Repeats, bool Profile, string? Json, string Device);
