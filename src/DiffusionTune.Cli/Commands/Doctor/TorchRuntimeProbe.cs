using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Doctor;

/// <summary>
/// Loads libtorch the way every command does, and reports what happened: versions, the backend, the native
/// libraries the process mapped, and on Linux the state of the build's GLIBCXX patch.
/// </summary>
public static class TorchRuntimeProbe
{
    /// <summary>The libstdc++ symbol version build/TorchSharpLinuxCompat.targets marks weak (keep the two in step).</summary>
    public const string PatchedGlibcxxVersion = "GLIBCXX_3.4.32";

    const string TorchSharpNativeLibrary = "LibTorchSharp";

    public static TorchRuntimeReport Probe()
    {
        var (loaded, error) = TryLoad();
        // Asking about CUDA makes TorchSharp try the CUDA libraries too, so the module list below shows the backend.
        bool cudaAvailable = loaded && CudaAvailable();
        var natives = MappedNativeLibraries();
        string backend = natives.Any(IsCudaLibrary) || cudaAvailable ? "CUDA"
            : loaded ? "CPU"
            : Directory.EnumerateFiles(AppContext.BaseDirectory, "*torch_cuda*", SearchOption.AllDirectories).Any() ? "CUDA (deployed, not loaded)"
            : "CPU (deployed, not loaded)";
        return new TorchRuntimeReport(
            TorchSharpVersion(),
            // torch.__version__ runs torch's type initializer, which fails for good once libtorch failed to load.
            loaded ? __version__ : TorchSharpConstant("libtorchPackageVersion") ?? "unknown",
            loaded,
            error,
            backend,
            natives,
            OperatingSystem.IsLinux() ? GlibcxxPatch(natives) : null,
            loaded ? get_num_threads() : 0,
            loaded ? get_num_interop_threads() : 0,
            loaded && OperatingSystem.IsMacOS() ? mps_is_available() : null);
    }

    /// <summary>
    /// The CUDA version TorchSharp's CUDA packages of this version are built with. TorchSharp has no public API for it;
    /// it keeps it in a private constant (null if a later TorchSharp renames it).
    /// </summary>
    public static string? CudaVersionOfTorchSharpPackages() => TorchSharpConstant("cudaVersion");

    /// <summary>A private string constant of TorchSharp's <c>torch</c> class, read from metadata (which runs none of its code).</summary>
    static string? TorchSharpConstant(string name) =>
        typeof(torch).GetField(name, BindingFlags.NonPublic | BindingFlags.Static) is { IsLiteral: true } field ? field.GetRawConstantValue() as string : null;

    /// <summary>The referenced TorchSharp's version, e.g. 0.107.0 (what its CUDA package's version must be).</summary>
    public static string TorchSharpVersion()
    {
        var assembly = typeof(torch).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString(3) ?? "unknown";
        return version.Split('+')[0];
    }

    public static bool CudaAvailable()
    {
        try
        {
            return cuda.is_available();
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or DllNotFoundException or ExternalException)
        {
            return false;
        }
    }

    /// <summary>
    /// Initialises the CPU backend. TorchSharp prints its whole load trace to stdout before throwing, so stdout is
    /// set aside meanwhile and the reason is summed up instead, with the OS loader's own message where it has one.
    /// </summary>
    static (bool Loaded, string? Error) TryLoad()
    {
        var stdout = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            InitializeDeviceType(DeviceType.CPU);
            return (true, null);
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException)
        {
            var cause = e is TypeInitializationException { InnerException: { } inner } ? inner : e;
            var reason = new StringBuilder(cause.Message.Split('\n', 2)[0].Trim());
            if (LoaderMessage() is { } loader) reason.Append(" The OS loader says: ").Append(loader);
            return (false, reason.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
        }
    }

    /// <summary>Loads the deployed TorchSharp native library directly, for the loader's error (a missing GLIBCXX version, say).</summary>
    static string? LoaderMessage()
    {
        var path = DeployedTorchSharpLibrary();
        if (path is null) return $"no {NativeFileName(TorchSharpNativeLibrary)} next to the executable (is a TorchSharp-cpu or TorchSharp-cuda-* package referenced?)";
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return null;
        }
        catch (DllNotFoundException e)
        {
            // .NET's message is advice on strace and LD_DEBUG, then the loader's own words (dlerror) on the next line.
            var lines = e.Message.Split('\n', 2, StringSplitOptions.TrimEntries);
            return lines.Length == 2 && lines[1].Length > 0 ? lines[1] : lines[0];
        }
    }

    static string NativeFileName(string name) =>
        OperatingSystem.IsWindows() ? $"{name}.dll" : OperatingSystem.IsMacOS() ? $"lib{name}.dylib" : $"lib{name}.so";

    /// <summary>The deployed TorchSharp native library: next to the executable or under runtimes/ (where the build puts it) first.</summary>
    static string? DeployedTorchSharpLibrary() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, NativeFileName(TorchSharpNativeLibrary), SearchOption.AllDirectories)
            .OrderBy(path => Path.GetRelativePath(AppContext.BaseDirectory, path) is var relative
                && (relative.StartsWith("runtimes", StringComparison.Ordinal) || !relative.Contains(Path.DirectorySeparatorChar)) ? 0 : 1)
            .FirstOrDefault();

    /// <summary>The libtorch and TorchSharp native libraries this process has mapped, by path.</summary>
    static IReadOnlyList<string> MappedNativeLibraries()
    {
        using var process = Process.GetCurrentProcess();
        return process.Modules.Cast<ProcessModule>()
            .Select(module => module.FileName)
            .Where(path => Path.GetFileName(path) is var name
                && (name.Contains("torch", StringComparison.OrdinalIgnoreCase) || name.Contains("c10", StringComparison.OrdinalIgnoreCase)))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    static bool IsCudaLibrary(string path) => Path.GetFileName(path).Contains("torch_cuda", StringComparison.OrdinalIgnoreCase);

    static GlibcxxPatchReport GlibcxxPatch(IReadOnlyList<string> natives)
    {
        var library = natives.FirstOrDefault(path => Path.GetFileName(path) == NativeFileName(TorchSharpNativeLibrary)) ?? DeployedTorchSharpLibrary();
        if (library is null) return new GlibcxxPatchReport("(none)", PatchedGlibcxxVersion, "not found", null);
        string state;
        try
        {
            var need = ElfVersionNeeds.Read(library).FirstOrDefault(n => n.Version == PatchedGlibcxxVersion);
            state = need is null ? "not needed"
                : need.Weak ? "weak (patched by the build)"
                : "required (not patched: the system libstdc++ must provide it)";
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            state = $"unreadable: {e.Message}";
        }
        return new GlibcxxPatchReport(library, PatchedGlibcxxVersion, state, SystemLibstdcxxDefines(PatchedGlibcxxVersion));
    }

    /// <summary>Whether the libstdc++ mapped into this process defines <paramref name="version"/> (null when none is mapped).</summary>
    static bool? SystemLibstdcxxDefines(string version)
    {
        using var process = Process.GetCurrentProcess();
        var libstdcxx = process.Modules.Cast<ProcessModule>().Select(m => m.FileName)
            .FirstOrDefault(path => Path.GetFileName(path).StartsWith("libstdc++.so", StringComparison.Ordinal));
        if (libstdcxx is null) return null;
        // A defined version's name sits, NUL-terminated, in the library's dynamic string table.
        return File.ReadAllBytes(libstdcxx).AsSpan().IndexOf(Encoding.ASCII.GetBytes(version + "\0")) >= 0;
    }
}
