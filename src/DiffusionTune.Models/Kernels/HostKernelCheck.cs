using System.Collections.Concurrent;
using DiffusionTune.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Kernels;

/// <summary>
/// The quick check of the running host's kernels (<see cref="KernelCases.HostSample"/> against fp64), run once per
/// process for each device and dtype that loads a model: a fraction of a second, so its verdict needs no cache on disk.
/// Operations whose libtorch kernel is wrong here but that the project computes its own way are fine as long as that
/// way is right; anything still wrong stops the run.
/// </summary>
public static class HostKernelCheck
{
    static readonly ConcurrentDictionary<(string Device, ScalarType DType), IReadOnlyList<KernelMeasurement>> s_verdicts = new();

    /// <summary>
    /// Checks <paramref name="dtype"/> and fp32 (which every run uses somewhere: the VAE on the CPU, the damage meter, the
    /// optimizer's master weights) on <paramref name="device"/>, once per process.
    /// </summary>
    /// <exception cref="WrongKernelsException">An operation is wrong even through the project's own path.</exception>
    public static void EnsureRight(Device device, ScalarType dtype)
    {
        if (device.type == DeviceType.META) return;
        var verdict = s_verdicts.GetOrAdd((device.ToString(), dtype), _ => Measure(device, [.. new[] { ScalarType.Float32, dtype }.Distinct()], library: false));
        var wrong = verdict.Where(measurement => !measurement.IsRight).ToList();
        if (wrong.Count == 0) return;
        throw new WrongKernelsException(
            $"libtorch computes {string.Join("; ", wrong.Select(m => $"{m.Case} in {Precision.NameOf(m.DType)} wrongly ({m.Problem})"))} on this " +
            $"{(device.type == DeviceType.CPU ? "CPU" : device.ToString())}, and DiffusionTune has no workaround for " +
            $"{(wrong.Count == 1 ? "it" : "them")}: results would be silently wrong, so nothing was run. " +
            (wrong.All(m => m.DType != ScalarType.Float32) ? "Use --precision fp32, which is right here, or another device. " : "Try another device. ") +
            "`diffusiontune doctor` lists every kernel it checks.");
    }

    /// <summary>Every sample case in each of <paramref name="dtypes"/>: through the project's own paths, or libtorch's operations with <paramref name="library"/>.</summary>
    public static IReadOnlyList<KernelMeasurement> Measure(Device device, IReadOnlyList<ScalarType> dtypes, bool library, int draws = 1)
    {
        // Callers may be inside no_grad (generation); the check needs gradients.
        using var gradients = enable_grad();
        return [.. KernelCases.HostSample().SelectMany(kernelCase => KernelComparison.Measure(kernelCase, dtypes, device, draws, library))];
    }
}
