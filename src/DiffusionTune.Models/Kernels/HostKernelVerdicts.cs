using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DiffusionTune.Contracts;
using DiffusionTune.IO;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Kernels;

/// <summary>
/// The quick check's verdicts kept on disk per host (<c>kernel-checks.json</c> in the user's local application data), so
/// that a command does not spend a second or more re-checking kernels that were right a minute ago. A verdict belongs to
/// one host fingerprint: CPU model and instruction-set flags, core and thread counts, TorchSharp and libtorch versions,
/// the checked cases and the workaround's constants; anything else, and it is measured again. Only "all right" is kept:
/// a wrong kernel is measured again each time, so a refusal always shows current figures.
/// </summary>
internal static class HostKernelVerdicts
{
    static readonly object s_gate = new();

    static string CacheFile => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
        "diffusiontune", "kernel-checks.json");

    /// <summary>Whether the sample was all right for this host fingerprint, <paramref name="device"/> and <paramref name="dtypes"/>.</summary>
    public static bool KnownRight(Device device, IReadOnlyList<ScalarType> dtypes)
    {
        lock (s_gate) return Read().Contains(Key(device, dtypes));
    }

    public static void RememberRight(Device device, IReadOnlyList<ScalarType> dtypes)
    {
        lock (s_gate)
        {
            var keys = Read();
            if (!keys.Add(Key(device, dtypes))) return;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(CacheFile)!);
                AtomicFile.WriteAllText(CacheFile, JsonSerializer.Serialize(keys.Order().ToArray()));
            }
            catch (IOException)
            {
                // A cache that cannot be written only costs the check again next time.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    static HashSet<string> Read()
    {
        try
        {
            return File.Exists(CacheFile) ? [.. JsonSerializer.Deserialize<string[]>(File.ReadAllText(CacheFile)) ?? []] : [];
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    static string Key(Device device, IReadOnlyList<ScalarType> dtypes) =>
        $"{HostFingerprint.Value}|{device}|{string.Join(",", dtypes)}";

    /// <summary>A hash of everything the verdict depends on besides device and dtype.</summary>
    static readonly Lazy<string> HostFingerprint = new(() =>
    {
        var identity = new StringBuilder()
            .AppendLine(RuntimeInformation.OSDescription)
            .AppendLine(RuntimeInformation.ProcessArchitecture.ToString())
            .AppendLine(CpuIdentity())
            .AppendLine($"{Environment.ProcessorCount} cores, {get_num_threads()} torch threads")
            .AppendLine($"libtorch {__version__}, TorchSharp {typeof(Tensor).Assembly.GetName().Version}")
            .AppendLine($"padding {SafeConvolution.OutputChannelBlock}/{SafeConvolution.InputChannelBlock}")
            .AppendJoin('\n', KernelCases.HostSample().Select(kernelCase => kernelCase.ToString()));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(identity.ToString())))[..32];
    });

    /// <summary>The CPU's model name and instruction-set flags where the OS tells them (Linux); the kernels libtorch picks depend on both.</summary>
    static string CpuIdentity()
    {
        const string CpuInfo = "/proc/cpuinfo";
        if (!OperatingSystem.IsLinux() || !File.Exists(CpuInfo)) return Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") ?? "unknown CPU";
        var lines = File.ReadLines(CpuInfo).TakeWhile(line => line.Length > 0).ToList();
        return string.Join("\n", lines.Where(line => line.StartsWith("model name", StringComparison.Ordinal) || line.StartsWith("flags", StringComparison.Ordinal)
            || line.StartsWith("Features", StringComparison.Ordinal) || line.StartsWith("CPU part", StringComparison.Ordinal)));
    }
}
