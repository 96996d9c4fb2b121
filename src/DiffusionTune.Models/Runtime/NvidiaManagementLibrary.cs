using System.Runtime.InteropServices;
using System.Text;

namespace DiffusionTune.Models.Runtime;

/// <summary>An NVIDIA GPU as the driver reports it.</summary>
/// <param name="Index">The driver's index (PCI bus order; CUDA's own numbering can differ, and CUDA_VISIBLE_DEVICES hides GPUs from CUDA only).</param>
/// <param name="ComputeCapability">major.minor, e.g. 8.6; bf16 tensor cores need 8.0 or later.</param>
public sealed record NvidiaGpu(int Index, string Name, long TotalBytes, long FreeBytes, string ComputeCapability);

/// <summary>What the NVIDIA driver says about this machine's GPUs.</summary>
/// <param name="DriverVersion">The driver's version, e.g. 570.86.15.</param>
/// <param name="CudaVersion">The newest CUDA version the driver supports, e.g. 12.8.</param>
/// <param name="Problem">Why there is nothing to report (no driver, the query failed); null when it worked.</param>
public sealed record NvidiaDriverInfo(string? DriverVersion, string? CudaVersion, IReadOnlyList<NvidiaGpu> Gpus, string? Problem);

/// <summary>
/// Asks the NVIDIA Management Library (NVML, installed with every NVIDIA driver: libnvidia-ml.so.1, nvml.dll) for the
/// driver version and each GPU's name, memory and compute capability. TorchSharp 0.107 exposes none of these (only
/// whether CUDA works and how many devices it sees), and NVML answers even where libtorch is the CPU build, so a
/// user can tell "no GPU" from "GPU, but a CPU build". Never throws: what fails is reported in <see cref="NvidiaDriverInfo.Problem"/>.
/// </summary>
public static class NvidiaManagementLibrary
{
    const int Success = 0;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int NoArguments();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int TextQuery([Out] byte[] text, uint length);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int IntegerQuery(out int value);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int CountQuery(out uint count);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int HandleQuery(uint index, out IntPtr device);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int DeviceTextQuery(IntPtr device, [Out] byte[] text, uint length);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int DeviceMemoryQuery(IntPtr device, out Memory memory);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int DeviceCapabilityQuery(IntPtr device, out int major, out int minor);

    /// <summary>nvmlMemory_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct Memory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    static string[] LibraryCandidates =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            ? ["nvml.dll", Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), "NVIDIA Corporation", "NVSMI", "nvml.dll")]
            : ["libnvidia-ml.so.1", "libnvidia-ml.so"];

    /// <summary>Queries the driver (each call initialises NVML and shuts it down again).</summary>
    public static NvidiaDriverInfo Query()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) return None("macOS has no NVIDIA driver");
        IntPtr library = IntPtr.Zero;
        var name = LibraryCandidates.FirstOrDefault(candidate => NativeLibrary.TryLoad(candidate, out library));
        if (name is null) return None($"no NVIDIA driver found ({LibraryCandidates[0]} is not installed)");
        try
        {
            var init = Function<NoArguments>(library, "nvmlInit_v2");
            if (init() is var status and not Success) return None($"the NVIDIA driver did not start (NVML error {status})");
            try
            {
                return Describe(library);
            }
            finally
            {
                Function<NoArguments>(library, "nvmlShutdown")();
            }
        }
        catch (EntryPointNotFoundException e)
        {
            return None($"{name} is too old: {e.Message}");
        }
    }

    static NvidiaDriverInfo Describe(IntPtr library)
    {
        var driverVersion = Text(Function<TextQuery>(library, "nvmlSystemGetDriverVersion"));
        string? cudaVersion = Function<IntegerQuery>(library, "nvmlSystemGetCudaDriverVersion_v2")(out int cuda) == Success
            ? $"{cuda / 1000}.{cuda % 1000 / 10}"
            : null;
        if (Function<CountQuery>(library, "nvmlDeviceGetCount_v2")(out uint count) is var status and not Success)
            return new NvidiaDriverInfo(driverVersion, cudaVersion, [], $"the driver could not count its GPUs (NVML error {status})");
        var handle = Function<HandleQuery>(library, "nvmlDeviceGetHandleByIndex_v2");
        var nameQuery = Function<DeviceTextQuery>(library, "nvmlDeviceGetName");
        var memoryQuery = Function<DeviceMemoryQuery>(library, "nvmlDeviceGetMemoryInfo");
        var capabilityQuery = Function<DeviceCapabilityQuery>(library, "nvmlDeviceGetCudaComputeCapability");
        var gpus = new List<NvidiaGpu>();
        for (uint index = 0; index < count; index++)
        {
            if (handle(index, out var device) != Success) continue;
            var buffer = new byte[96];
            string name = nameQuery(device, buffer, (uint)buffer.Length) == Success ? Decode(buffer) : "(unnamed)";
            var memory = memoryQuery(device, out var m) == Success ? m : default;
            string capability = capabilityQuery(device, out int major, out int minor) == Success ? $"{major}.{minor}" : "?";
            gpus.Add(new NvidiaGpu((int)index, name, (long)memory.Total, (long)memory.Free, capability));
        }
        return new NvidiaDriverInfo(driverVersion, cudaVersion, gpus, gpus.Count == 0 ? "the driver reports no GPU" : null);
    }

    static string? Text(TextQuery query)
    {
        var buffer = new byte[96];
        return query(buffer, (uint)buffer.Length) == Success ? Decode(buffer) : null;
    }

    static string Decode(byte[] buffer)
    {
        int end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }

    static T Function<T>(IntPtr library, string name) where T : Delegate =>
        NativeLibrary.TryGetExport(library, name, out var address)
            ? Marshal.GetDelegateForFunctionPointer<T>(address)
            : throw new EntryPointNotFoundException($"it has no {name}");

    static NvidiaDriverInfo None(string problem) => new(null, null, [], problem);
}
