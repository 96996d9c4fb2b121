using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary>The machine's practical limit: the best throughput of a large square matmul in a given dtype.</summary>
public static class MatmulPeak
{
    public static double Gflops(Device device, ScalarType dtype, int size = 2048, int repeats = 5)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var a = randn([size, size], dtype, device);
        var b = randn([size, size], dtype, device);
        matmul(a, b).Dispose();
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            matmul(a, b).Dispose();
            if (device.type == DeviceType.CUDA) cuda.synchronize();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        return 2.0 * size * size * size / best / 1e9;
    }
}
