namespace DiffusionTune.Tests;

/// <summary>
/// A full disk without mounting anything: Linux's <c>/dev/full</c> refuses every write with ENOSPC, so bytes sent there
/// fail exactly as bytes sent to a full disk do. Tests that use it are <see cref="FullDeviceFactAttribute"/> facts.
/// </summary>
static class FullDevice
{
    public const string Path = "/dev/full";

    /// <summary>The system's words for the failure (ENOSPC).</summary>
    public const string Problem = "No space left on device";

    /// <summary>Writes <paramref name="bytes"/> to the device, which throws the <see cref="IOException"/> a full disk throws.</summary>
    public static void Write(ReadOnlySpan<byte> bytes)
    {
        using var device = new FileStream(Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        device.Write(bytes);
    }
}

/// <summary>A fact that needs <see cref="FullDevice"/>; skipped, saying why, where there is no <c>/dev/full</c>.</summary>
sealed class FullDeviceFactAttribute : FactAttribute
{
    public FullDeviceFactAttribute()
    {
        if (!File.Exists(FullDevice.Path)) Skip = $"needs {FullDevice.Path} (Linux) to stand in for a full disk";
    }
}
