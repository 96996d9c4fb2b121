using System.Globalization;

namespace DiffusionTune.Cli.Commands.Doctor;

/// <summary>The machine's memory: total and available from /proc/meminfo on Linux; elsewhere what .NET's GC knows.</summary>
/// <param name="TotalBytes">Physical memory (null where unknown).</param>
/// <param name="AvailableBytes">Memory available to new work without swapping (null where unknown).</param>
/// <param name="ProcessLimitBytes">What this process may use as .NET sees it (a container limit where there is one).</param>
/// <param name="Source">Where the figures come from.</param>
public sealed record SystemMemory(long? TotalBytes, long? AvailableBytes, long ProcessLimitBytes, string Source)
{
    public static SystemMemory Read()
    {
        long limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        const string MemInfo = "/proc/meminfo";
        if (OperatingSystem.IsLinux() && File.Exists(MemInfo))
        {
            var (total, available) = ParseMemInfo(File.ReadAllText(MemInfo));
            return new SystemMemory(total, available, limit, MemInfo);
        }
        return new SystemMemory(null, null, limit, ".NET GC (total physical memory is not read on this OS)");
    }

    /// <summary>MemTotal and MemAvailable, in bytes, from the text of /proc/meminfo (null for a missing line).</summary>
    public static (long? Total, long? Available) ParseMemInfo(string text)
    {
        long? Field(string name)
        {
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal));
            if (line is null) return null;
            var parts = line[(name.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length >= 1 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kibibytes)
                ? kibibytes * 1024
                : null;
        }
        return (Field("MemTotal"), Field("MemAvailable"));
    }
}
