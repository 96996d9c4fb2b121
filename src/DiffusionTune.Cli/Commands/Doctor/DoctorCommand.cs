using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using DiffusionTune.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Doctor;

/// <summary>
/// Collects a <see cref="DoctorReport"/> and prints it (tables, plain text when redirected, or JSON). Exits 0 when
/// libtorch works and every sampled kernel is right as DiffusionTune computes it; otherwise 1, after saying why and
/// printing what could still be found out.
/// </summary>
public static class DoctorCommand
{
    public static int Run(bool json)
    {
        var report = Collect();
        if (json)
            Console.Out.WriteLine(ToJson(report));
        else
            DoctorReportView.Write(report);
        return Verdict(report);
    }

    /// <summary>Looks at everything; never throws for what the machine lacks (that is what it reports).</summary>
    public static DoctorReport Collect()
    {
        var torchReport = TorchRuntimeProbe.Probe();
        bool cudaAvailable = torchReport.Loaded && TorchRuntimeProbe.CudaAvailable();
        int deviceCount = cudaAvailable ? cuda.device_count() : 0;
        var cudaReport = new CudaReport(cudaAvailable, deviceCount, cudaAvailable && cuda.is_cudnn_available(),
            Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES"), NvidiaManagementLibrary.Query());
        var devices = torchReport.Loaded
            ? new[] { CPU }.Concat(Enumerable.Range(0, deviceCount).Select(index => new Device(DeviceType.CUDA, index))).ToList()
            : [];
        var precisions = devices.SelectMany(device => PrecisionProbe.Dtypes.Select(dtype => PrecisionProbe.Measure(device, dtype))).ToList();
        var kernels = precisions.Any(p => p.Device == "cpu" && p.Precision == "fp32" && p.Supported) ? KernelProbe.Check(devices) : [];
        var os = CurrentOs();
        return new DoctorReport(
            new PlatformReport(RuntimeInformation.OSDescription, RuntimeInformation.OSArchitecture.ToString(), RuntimeInformation.FrameworkDescription,
                RuntimeInformation.RuntimeIdentifier, CpuModel(), Environment.ProcessorCount, NativeHeap.KeepsFreedMemory),
            torchReport,
            cudaReport,
            precisions,
            SystemMemory.Read(),
            CudaPackageAdvice.For(os, RuntimeInformation.OSArchitecture, torchReport.TorchSharpVersion, TorchRuntimeProbe.CudaVersionOfTorchSharpPackages()),
            kernels);
    }

    /// <summary>The exit code: 0 when libtorch works, 1 (with a message on stderr) when it does not.</summary>
    public static int Verdict(DoctorReport report)
    {
        if (!report.Torch.Loaded)
        {
            CommandRunner.WriteError($"libtorch could not be loaded: {report.Torch.LoadError}");
            return CommandRunner.UserError;
        }
        if (!report.RuntimeWorks)
        {
            var fp32 = report.Precisions.FirstOrDefault(p => p.Device == "cpu" && p.Precision == "fp32");
            CommandRunner.WriteError($"libtorch loaded but cannot compute on the CPU: {fp32?.Problem ?? "no result"}");
            return CommandRunner.UserError;
        }
        if (report.UnfixedKernels.FirstOrDefault() is { } unfixed)
        {
            CommandRunner.WriteError($"{unfixed.Operation} {unfixed.Shape} is wrong in {unfixed.Precision} on {unfixed.Device} even as DiffusionTune computes it " +
                $"({unfixed.Project}); commands refuse that precision there (see Kernels above)");
            return CommandRunner.UserError;
        }
        return CommandRunner.Success;
    }

    public static string ToJson(DoctorReport report) => JsonSerializer.Serialize(report, new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // Read by people and scripts, never embedded in HTML: keep quotes and backticks of loader messages readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    static OSPlatform CurrentOs() =>
        OperatingSystem.IsWindows() ? OSPlatform.Windows
        : OperatingSystem.IsLinux() ? OSPlatform.Linux
        : OperatingSystem.IsMacOS() ? OSPlatform.OSX
        : OSPlatform.FreeBSD;

    /// <summary>The CPU's marketing name from /proc/cpuinfo (Linux only).</summary>
    static string? CpuModel()
    {
        const string CpuInfo = "/proc/cpuinfo";
        if (!OperatingSystem.IsLinux() || !File.Exists(CpuInfo)) return null;
        var line = File.ReadLines(CpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line?[(line.IndexOf(':') + 1)..].Trim();
    }
}
