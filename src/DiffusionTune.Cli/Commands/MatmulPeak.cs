using System.Diagnostics;
using DiffusionTune.Models.Unet;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands;

/// <summary>The machine's practical limit: the best throughput of matmuls in a given dtype.</summary>
public static class MatmulPeak
{
    /// <summary>GFLOP/s of a square <paramref name="size"/>³ matmul, best of <paramref name="repeats"/>.</summary>
    public static double Gflops(Device device, ScalarType dtype, int size = 2048, int repeats = 5) =>
        Gflops(device, dtype, size, size, size, repeats);

    /// <summary>GFLOP/s of an [m, k] × [k, n] matmul, best of <paramref name="repeats"/>.</summary>
    public static double Gflops(Device device, ScalarType dtype, long m, long n, long k, int repeats = 5)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var a = randn([m, k], dtype, device);
        var b = randn([k, n], dtype, device);
        matmul(a, b).Dispose();
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            matmul(a, b).Dispose();
            if (device.type == DeviceType.CUDA) cuda.synchronize();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        return 2.0 * m * n * k / best / 1e9;
    }

    /// <summary>
    /// The limit a UNet's throughput is compared with: the best of a 2048³ matmul and the matmuls of the UNet's own
    /// linear layers at this latent size (tokens × channels → channels, and the feed-forward's → 8× channels at each
    /// level), so that shapes the hardware runs better than a large square one cannot make the fraction look better.
    /// </summary>
    public static (double Gflops, string Shape) UnetLimit(UNet2DConditionModelConfig config, int latentSize, int batch, Device device, ScalarType dtype)
    {
        var shapes = new List<(long M, long N, long K)> { (2048, 2048, 2048) };
        for (int level = 0; level < config.BlockOutChannels.Length; level++)
        {
            long side = Math.Max(1, latentSize >> level), tokens = batch * side * side, channels = config.BlockOutChannels[level];
            shapes.Add((tokens, channels, channels));
            shapes.Add((tokens, 8 * channels, channels));
        }
        return shapes.Distinct()
            .Select(s => (Gflops: Gflops(device, dtype, s.M, s.N, s.K, repeats: 10), Shape: $"{s.M}×{s.K}·{s.K}×{s.N}"))
            .MaxBy(r => r.Gflops);
    }
}
