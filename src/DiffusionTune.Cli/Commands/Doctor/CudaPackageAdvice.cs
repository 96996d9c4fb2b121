using System.Runtime.InteropServices;

namespace DiffusionTune.Cli.Commands.Doctor;

/// <summary>What a user adds to run on an NVIDIA GPU, for their OS and the TorchSharp version this build references.</summary>
/// <param name="Package">The TorchSharp CUDA package, or null where TorchSharp publishes none (macOS, ARM).</param>
/// <param name="AddCommand">The exact <c>dotnet add package</c> line, or null.</param>
/// <param name="Note">What else to know.</param>
public sealed record CudaPackageAdvice(string? Package, string Version, string? CudaVersion, string? AddCommand, string Note)
{
    /// <summary>The advice for <paramref name="os"/> on <paramref name="architecture"/>.</summary>
    /// <param name="torchSharpVersion">The referenced TorchSharp version; the CUDA package must match it.</param>
    /// <param name="cudaVersion">The CUDA version TorchSharp's CUDA packages of that version are built with, if known.</param>
    public static CudaPackageAdvice For(OSPlatform os, Architecture architecture, string torchSharpVersion, string? cudaVersion)
    {
        string? package = architecture != Architecture.X64 ? null
            : os == OSPlatform.Windows ? "TorchSharp-cuda-windows"
            : os == OSPlatform.Linux ? "TorchSharp-cuda-linux"
            : null;
        if (package is null)
        {
            string why = os == OSPlatform.OSX
                ? "TorchSharp has no CUDA build for macOS: TorchSharp-cpu runs on the CPU (Apple GPUs, MPS, are not used by DiffusionTune)"
                : $"TorchSharp publishes CUDA packages for x64 Windows and Linux only, not for {os} on {architecture}: TorchSharp-cpu runs on the CPU";
            return new CudaPackageAdvice(null, torchSharpVersion, cudaVersion, null, why);
        }
        var cuda = cudaVersion is null ? "CUDA" : $"CUDA {cudaVersion}";
        return new CudaPackageAdvice(package, torchSharpVersion, cudaVersion, $"dotnet add package {package} --version {torchSharpVersion}",
            $"it replaces TorchSharp-cpu (dotnet remove package TorchSharp-cpu) and bundles libtorch for {cuda}; it needs an NVIDIA driver " +
            $"that supports {cuda}. In this repository: dotnet build -p:TorchBackend=cuda (it references {package} {torchSharpVersion}).");
    }
}
