using System.Diagnostics;

namespace DiffusionTune.Tests;

/// <summary>
/// A real disk that can be filled: a small tmpfs mounted on a fresh scratch folder, unmounted and removed on dispose.
/// Mounting needs root on Linux (and a container that allows it); tests that use it are
/// <see cref="SmallTmpfsFactAttribute"/> facts, skipped elsewhere, where <see cref="FullDevice"/> stands in at the file layer.
/// </summary>
sealed class SmallTmpfs : IDisposable
{
    const string FillerName = ".filler";

    public SmallTmpfs(int kibibytes)
    {
        Path = TestPaths.TempFolder();
        if (Mount(Path, kibibytes) is { } problem)
        {
            Directory.Delete(Path);
            throw new InvalidOperationException(problem);
        }
    }

    public string Path { get; }

    /// <summary>Why no tmpfs can be mounted here, or null when one can (tried once per test run).</summary>
    public static string? Unavailable => Probe.Value;

    static readonly Lazy<string?> Probe = new(() =>
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess) return "needs root on Linux to mount a small tmpfs";
        var folder = TestPaths.TempFolder();
        var problem = Mount(folder, 64);
        if (problem is null) Run("umount", folder);
        Directory.Delete(folder);
        return problem;
    });

    /// <summary>Takes every byte still free with one hidden file, so that the next write fails with ENOSPC.</summary>
    public void Fill()
    {
        using var filler = new FileStream(System.IO.Path.Combine(Path, FillerName), FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        var page = new byte[4096];
        try
        {
            while (true) filler.Write(page);
        }
        catch (IOException)
        {
            // Full.
        }
    }

    /// <summary>Every file on the disk but the filler, by path relative to it, with its bytes.</summary>
    public Dictionary<string, byte[]> Files() => Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories)
        .Where(file => System.IO.Path.GetFileName(file) != FillerName)
        .ToDictionary(file => System.IO.Path.GetRelativePath(Path, file), File.ReadAllBytes);

    public void Dispose()
    {
        Run("umount", Path);
        Directory.Delete(Path, recursive: true);
    }

    static string? Mount(string folder, int kibibytes) =>
        Run("mount", "-t", "tmpfs", "-o", $"size={kibibytes}k", "tmpfs", folder) is { } error ? $"mount -t tmpfs failed: {error}" : null;

    /// <summary>Runs a system tool; its error output when it fails, else null.</summary>
    static string? Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : error.Trim();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return e.Message;
        }
    }
}

/// <summary>A fact that needs a <see cref="SmallTmpfs"/>; skipped, saying why, where none can be mounted.</summary>
sealed class SmallTmpfsFactAttribute : FactAttribute
{
    public SmallTmpfsFactAttribute()
    {
        if (SmallTmpfs.Unavailable is { } problem) Skip = problem + "; the file-layer tests simulate a full disk with /dev/full instead";
    }
}
