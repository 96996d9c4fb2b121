using System.Globalization;

namespace DiffusionTune.IO;

/// <summary>How many temporaries a clean-up removed, and their size.</summary>
public readonly record struct RemovedTemporaries(int Count, long Bytes)
{
    public static RemovedTemporaries operator +(RemovedTemporaries a, RemovedTemporaries b) => new(a.Count + b.Count, a.Bytes + b.Bytes);

    /// <summary>"3 temporary file(s) or folder(s) (1,234.5 MB)".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Count} temporary file(s) or folder(s) ({Bytes / 1e6:N1} MB)");
}
