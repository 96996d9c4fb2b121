using System.Collections.Concurrent;
using DiffusionTune.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Kernels;

/// <summary>
/// The quick check of the running host's kernels (<see cref="KernelCases.HostSample"/> against fp64), run once per
/// process for each device and dtype that loads a model. It takes one to several seconds (most of it libtorch choosing
/// and compiling kernels for each shape), so an all-right verdict is kept per host (<see cref="HostKernelVerdicts"/>).
/// Operations whose libtorch kernel is wrong here but that the project computes its own way are fine as long as that
/// way is right; anything still wrong stops the run.
/// </summary>
public static class HostKernelCheck
{
    static readonly ConcurrentDictionary<(string Device, ScalarType DType), bool> s_checked = new();

    /// <summary>
    /// Checks <paramref name="dtype"/> and fp32 (which every run uses somewhere: the VAE on the CPU, the damage meter, the
    /// optimizer's master weights) on <paramref name="device"/>, once per process.
    /// </summary>
    /// <exception cref="WrongKernelsException">An operation is wrong even through the project's own path.</exception>
    public static void EnsureRight(Device device, ScalarType dtype)
    {
        if (device.type == DeviceType.META) return;
        if (!s_checked.TryAdd((device.ToString(), dtype), true)) return;
        ScalarType[] dtypes = [.. new[] { ScalarType.Float32, dtype }.Distinct()];
        if (HostKernelVerdicts.KnownRight(device, dtypes)) return;
        var measurements = Measure(device, dtypes, library: false);
        try
        {
            ThrowIfWrong(measurements, device);
        }
        catch (WrongKernelsException)
        {
            s_checked.TryRemove((device.ToString(), dtype), out _);
            throw;
        }
        HostKernelVerdicts.RememberRight(device, dtypes);
    }

    /// <summary>Refuses to run when any of <paramref name="measurements"/> (the project's own paths on <paramref name="device"/>) is wrong.</summary>
    /// <exception cref="WrongKernelsException">Naming every wrong operation, and fp32 as the way out when only a lower precision is wrong.</exception>
    public static void ThrowIfWrong(IReadOnlyList<KernelMeasurement> measurements, Device device)
    {
        var wrong = measurements.Where(measurement => !measurement.IsRight).ToList();
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
