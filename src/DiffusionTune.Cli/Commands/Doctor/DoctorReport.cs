using System.Text.Json.Serialization;
using DiffusionTune.Models.Runtime;

namespace DiffusionTune.Cli.Commands.Doctor;

/// <summary>Everything <c>doctor</c> found out about this machine and this build.</summary>
public sealed record DoctorReport(
    PlatformReport Platform,
    TorchRuntimeReport Torch,
    CudaReport Cuda,
    IReadOnlyList<PrecisionSupport> Precisions,
    SystemMemory Memory,
    CudaPackageAdvice CudaPackage,
    IReadOnlyList<KernelVerdict> Kernels)
{
    /// <summary>Whether libtorch works here: it loaded and an fp32 matmul on the CPU gave the right numbers.</summary>
    public bool RuntimeWorks => Torch.Loaded && Precisions.Any(p => p.Device == "cpu" && p.Precision == "fp32" && p.Supported);

    /// <summary>Sampled operations DiffusionTune computes wrongly here: <c>train</c> and <c>generate</c> refuse to run in their precision.</summary>
    public IEnumerable<KernelVerdict> UnfixedKernels => Kernels.Where(kernel => !kernel.ProjectRight);
}

/// <summary>The operating system, the .NET runtime and the CPU.</summary>
/// <param name="RuntimeIdentifier">The .NET runtime identifier, e.g. linux-x64.</param>
/// <param name="CpuModel">The CPU's name where the OS tells it (Linux), else null.</param>
public sealed record PlatformReport(string Os, string Architecture, [property: JsonPropertyName("dotnet")] string DotNet, string RuntimeIdentifier, string? CpuModel, int LogicalCores,
    bool NativeHeapKeepsFreedMemory = false);

/// <summary>TorchSharp and its native libtorch as this process loaded them.</summary>
/// <param name="LibTorchVersion">The libtorch version TorchSharp was built for.</param>
/// <param name="Loaded">Whether the native libraries loaded.</param>
/// <param name="LoadError">Why they did not, from TorchSharp and the OS loader.</param>
/// <param name="Backend">CPU or CUDA: which libtorch build is loaded (or, when none loaded, deployed).</param>
/// <param name="NativeLibraries">The libtorch and TorchSharp native libraries mapped into the process.</param>
/// <param name="GlibcxxPatch">Linux only: what the build's GLIBCXX weak-version patch did to libLibTorchSharp.so.</param>
/// <param name="IntraOpThreads">Threads libtorch uses inside one op (0 when libtorch did not load).</param>
/// <param name="InterOpThreads">Threads libtorch runs independent ops on (0 when libtorch did not load).</param>
/// <param name="MpsAvailable">macOS only: whether libtorch sees an Apple GPU (DiffusionTune does not use it).</param>
public sealed record TorchRuntimeReport(
    [property: JsonPropertyName("torchsharp_version")] string TorchSharpVersion,
    [property: JsonPropertyName("libtorch_version")] string LibTorchVersion,
    bool Loaded,
    string? LoadError,
    string Backend,
    IReadOnlyList<string> NativeLibraries,
    GlibcxxPatchReport? GlibcxxPatch,
    int IntraOpThreads,
    int InterOpThreads,
    bool? MpsAvailable);

/// <summary>The state of libLibTorchSharp.so's need for the libstdc++ symbol version GCC 13 introduced.</summary>
/// <param name="Library">The libLibTorchSharp.so checked (the one loaded, else the one in the output folder).</param>
/// <param name="State">weak (patched by the build), required (not patched), not needed, or unreadable.</param>
/// <param name="SystemLibstdcxxHasIt">Whether the libstdc++ this process loaded defines that version (null when unknown).</param>
public sealed record GlibcxxPatchReport(string Library, string Version, string State, bool? SystemLibstdcxxHasIt);

/// <summary>CUDA as libtorch sees it, and the GPUs as the NVIDIA driver sees them.</summary>
/// <param name="Available">torch.cuda.is_available(): a CUDA build of libtorch, a driver and a GPU.</param>
/// <param name="DeviceCount">CUDA devices libtorch can use (after CUDA_VISIBLE_DEVICES).</param>
/// <param name="Driver">The NVIDIA driver's own report (NVML), also available with a CPU build.</param>
public sealed record CudaReport(bool Available, int DeviceCount, bool CudnnAvailable, string? CudaVisibleDevices, NvidiaDriverInfo Driver);
