using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Runtime;

/// <summary>Turns the user's <c>--device</c> choice (<c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>) into a torch device.</summary>
public static class ComputeDevice
{
    /// <summary>
    /// Resolves <paramref name="spec"/>; <c>auto</c> picks CUDA when TorchSharp reports it. Asking for CUDA where it is not
    /// available throws <see cref="ArgumentException"/> saying why and what to do.
    /// </summary>
    public static Device Resolve(string spec)
    {
        var normalized = spec.Trim().ToLowerInvariant();
        if (normalized == "auto") return cuda.is_available() ? CUDA : CPU;
        if (normalized == "cpu") return CPU;
        if (normalized == "cuda" || normalized.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (normalized.Length > 4 && !int.TryParse(normalized[5..], out index) || index < 0)
                throw new ArgumentException($"'{spec}' is not a device: use cuda or cuda:N with N a GPU index");
            if (!cuda.is_available())
                throw new ArgumentException(
                    $"'{spec}' was requested but CUDA is not available: this build uses the {Backend} libtorch backend" +
                    (Backend == "CPU" ? " (rebuild with -p:TorchBackend=cuda on a machine with an NVIDIA driver; see README)" : ", and no CUDA device or driver was found"));
            int count = cuda.device_count();
            if (index >= count)
                throw new ArgumentException($"'{spec}' was requested but only {count} CUDA device(s) exist (cuda:0..cuda:{count - 1})");
            return new Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"'{spec}' is not a device: use auto, cpu, cuda or cuda:N");
    }

    /// <summary>Which libtorch build this process carries: CUDA when the CUDA native library was deployed beside it.</summary>
    public static string Backend => cuda.is_available() || CudaNativeLibraryDeployed() ? "CUDA" : "CPU";

    static bool CudaNativeLibraryDeployed()
    {
        var runtimes = Path.Combine(AppContext.BaseDirectory, "runtimes");
        return Directory.Exists(runtimes)
            && Directory.EnumerateFiles(runtimes, "*torch_cuda*", SearchOption.AllDirectories).Any();
    }
}
