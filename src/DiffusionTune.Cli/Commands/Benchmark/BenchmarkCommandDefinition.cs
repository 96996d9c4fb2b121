using System.CommandLine;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary>The <c>benchmark</c> verb: UNet speed and memory against the machine's measured matmul peak.</summary>
public static class BenchmarkCommandDefinition
{
    public static readonly Option<string> Config = new("--config")
    {
        Description = "UNet to measure: sd15, sd2, or the path of a diffusers unet config.json",
        DefaultValueFactory = _ => "sd15",
    };

    public static readonly Option<int> LatentSize = new("--latent-size")
    {
        Description = "Latent height and width (32 = 256 px images, 64 = 512 px)",
        DefaultValueFactory = _ => 32,
    };

    public static readonly Option<int> Batch = new("--batch")
    {
        Description = "Batch size",
        DefaultValueFactory = _ => 1,
    };

    public static readonly Option<string[]> Precisions = new("--precision")
    {
        Description = "Dtypes to measure (repeatable): fp32, bf16, fp16 (CUDA only)",
        DefaultValueFactory = _ => ["fp32", "bf16"],
        AllowMultipleArgumentsPerToken = true,
    };

    public static readonly Option<int> Repeats = new("--repeats")
    {
        Description = "Timed runs per measurement (after one warm-up run); the median is reported",
        DefaultValueFactory = _ => 3,
    };

    public static readonly Option<string?> Json = new("--json")
    {
        Description = "Also write the figures to this JSON file",
    };

    public static Command Create()
    {
        var device = CommonOptions.Device();
        var command = new Command("benchmark", "Measure UNet forward and forward+backward speed and peak memory, as a fraction of this machine's matmul peak")
        {
            Config, LatentSize, Batch, Precisions, Repeats, Json, device,
        };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ => Task.FromResult(BenchmarkCommand.Run(new BenchmarkSettings(
            result.GetValue(Config)!, result.GetValue(LatentSize), result.GetValue(Batch), result.GetValue(Precisions)!,
            result.GetValue(Repeats), result.GetValue(Json), result.GetValue(device)!))), cancellation));
        return command;
    }
}

public sealed record BenchmarkSettings(string Config, int LatentSize, int Batch, string[] Precisions, int Repeats, string? Json, string Device);
