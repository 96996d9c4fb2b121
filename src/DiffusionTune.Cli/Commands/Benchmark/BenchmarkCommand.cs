using System.Diagnostics;
using System.Text.Json;
using DiffusionTune.IO;
using DiffusionTune.Models.Configuration;
using DiffusionTune.Models.Runtime;
using DiffusionTune.Models.Unet;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary>
/// Measures the UNet at a real configuration with random weights: forward and forward+backward seconds, achieved
/// FLOP/s as a fraction of the machine's matmul peak for the same dtype, and peak resident memory.
/// </summary>
public static class BenchmarkCommand
{
    public sealed record Figures(string Precision, double MatmulPeakGflops, string MatmulPeakShape, double ForwardGflop, double ForwardSeconds,
        double ForwardFractionOfPeak, double TrainSeconds, double TrainFractionOfPeak, long ForwardPeakBytes, long TrainPeakBytes);

    public static int Run(BenchmarkSettings settings)
    {
        if (settings.LatentSize < 8 || settings.LatentSize % 8 != 0) throw new ArgumentException("--latent-size must be a positive multiple of 8");
        if (settings.Batch < 1 || settings.Repeats < 1) throw new ArgumentException("--batch and --repeats must be at least 1");
        var device = ComputeDevice.Resolve(settings.Device);
        var config = ResolveConfig(settings.Config);
        var dtypes = settings.Precisions.Select(p => Precision.Resolve(p, device)).ToArray();

        AnsiConsole.MarkupLineInterpolated($"UNet [bold]{settings.Config}[/], latents {settings.Batch}×{config.InChannels}×{settings.LatentSize}×{settings.LatentSize}, device {device}, {get_num_threads()} threads");
        var results = new List<Figures>();
        foreach (var dtype in dtypes)
        {
            AnsiConsole.MarkupLineInterpolated($"measuring {Precision.NameOf(dtype)} …");
            results.Add(Measure(config, settings, device, dtype));
        }
        Render(results);
        if (settings.Json is not null)
            AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(new { settings, results }, new JsonSerializerOptions { WriteIndented = true }));
        return CommandRunner.Success;
    }

    static UNet2DConditionModelConfig ResolveConfig(string spec) => spec switch
    {
        "sd15" => KnownConfigs.StableDiffusion1Unet,
        "sd2" => KnownConfigs.StableDiffusion2Unet,
        _ => ModelConfigFile.Read<UNet2DConditionModelConfig>(spec),
    };

    static (Tensor Sample, Tensor Timestep, Tensor Context) Inputs(UNet2DConditionModelConfig config, BenchmarkSettings settings, Device device, ScalarType dtype) =>
        (randn([settings.Batch, config.InChannels, settings.LatentSize, settings.LatentSize], dtype, device),
         full([settings.Batch], 500.0f, ScalarType.Float32, device),
         randn([settings.Batch, 77, config.CrossAttentionDimPerLevel[0]], dtype, device));

    static Figures Measure(UNet2DConditionModelConfig config, BenchmarkSettings settings, Device device, ScalarType dtype)
    {
        var (peak, peakShape) = MatmulPeak.UnetLimit(config, settings.LatentSize, settings.Batch, device, dtype);
        manual_seed(0);
        using var model = new UNet2DConditionModel(config);
        model.to(device, dtype);
        using var scope = NewDisposeScope();
        var (sample, timestep, context) = Inputs(config, settings, device, dtype);
        double forwardFlops = CountForwardFlops(model, sample, timestep, context);

        double forward;
        long forwardPeak;
        using (var memory = new PeakMemory())
        {
            forward = MedianSeconds(settings.Repeats, device, () =>
            {
                using var step = NewDisposeScope();
                using var _ = no_grad();
                model.call(sample, timestep, context);
            });
            forwardPeak = memory.PeakBytes;
        }

        model.train();
        double train;
        long trainPeak;
        using (var memory = new PeakMemory())
        {
            train = MedianSeconds(settings.Repeats, device, () =>
            {
                using var step = NewDisposeScope();
                var loss = model.call(sample, timestep, context).to(ScalarType.Float32).square().mean();
                loss.backward();
                model.zero_grad();
            });
            trainPeak = memory.PeakBytes;
        }

        var figures = new Figures(Precision.NameOf(dtype), peak, peakShape, forwardFlops / 1e9, forward, forwardFlops / forward / 1e9 / peak,
            train, 3 * forwardFlops / train / 1e9 / peak, forwardPeak, trainPeak);
        if (settings.Profile) Profile(model, sample, timestep, context, settings, device, dtype, forward, train - forward, peak);
        return figures;
    }

    /// <summary>Times every operation of the model alone at its real shape and prints where the time goes (<see cref="OpProfile"/>).</summary>
    static void Profile(UNet2DConditionModel model, Tensor sample, Tensor timestep, Tensor context, BenchmarkSettings settings, Device device,
        ScalarType dtype, double modelForward, double modelBackward, double matmulPeakGflops)
    {
        IReadOnlyList<(IsolatedOp Op, int Calls)> ops;
        using (var census = new UnetOpCensus(model))
        using (NewDisposeScope())
        using (no_grad())
        {
            model.call(sample, timestep, context);
            ops = census.Ops;
        }
        AnsiConsole.MarkupLineInterpolated($"profiling {ops.Count} operation shapes alone …");
        var timings = OpProfile.Measure(ops, dtype, device, settings.Repeats);
        OpProfile.Render($"{Precision.NameOf(dtype)}: where the time goes (backward of the whole model = forward+backward − forward)",
            timings, modelForward, modelBackward, matmulPeakGflops);
    }

    /// <summary>One untimed forward pass with counting hooks attached; it doubles as the warm-up.</summary>
    static double CountForwardFlops(UNet2DConditionModel model, Tensor sample, Tensor timestep, Tensor context)
    {
        using var counter = new FlopCounter(model);
        using var step = NewDisposeScope();
        using var _ = no_grad();
        model.call(sample, timestep, context);
        AnsiConsole.MarkupLineInterpolated($"forward work: {counter.Total / 1e9:F1} GFLOP (conv {counter.Convolution / 1e9:F1}, linear {counter.Linear / 1e9:F1}, attention matmuls {counter.AttentionMatmuls / 1e9:F1}); a training step counts as 3× forward");
        return counter.Total;
    }

    static double MedianSeconds(int repeats, Device device, Action run)
    {
        run();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            run();
            if (device.type == DeviceType.CUDA) cuda.synchronize();
            times[i] = watch.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }

    static void Render(List<Figures> results)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("");
        foreach (var r in results) table.AddColumn(new TableColumn(r.Precision).RightAligned());
        void Row(string label, Func<Figures, string> cell) => table.AddRow([label, .. results.Select(cell)]);
        Row("matmul peak GFLOP/s", r => $"{r.MatmulPeakGflops:F0}");
        Row("  at shape", r => Markup.Escape(r.MatmulPeakShape));
        Row("forward s", r => $"{r.ForwardSeconds:F2}");
        Row("forward GFLOP/s (of peak)", r => $"{r.ForwardGflop / r.ForwardSeconds:F0} ({r.ForwardFractionOfPeak:P0})");
        Row("forward+backward s", r => $"{r.TrainSeconds:F2}");
        Row("forward+backward GFLOP/s (of peak)", r => $"{3 * r.ForwardGflop / r.TrainSeconds:F0} ({r.TrainFractionOfPeak:P0})");
        Row("peak RSS, forward", r => Gigabytes(r.ForwardPeakBytes));
        Row("peak RSS, forward+backward", r => Gigabytes(r.TrainPeakBytes));
        AnsiConsole.Write(table);
    }

    static string Gigabytes(long bytes) => $"{bytes / (double)(1L << 30):F2} GiB";
}
