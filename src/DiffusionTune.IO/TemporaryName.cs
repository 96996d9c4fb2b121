using System.Text.RegularExpressions;

namespace DiffusionTune.IO;

/// <summary>
/// The name a file or folder is written under before it is renamed into place (<see cref="AtomicFile"/>, a run's
/// checkpoints): <c>.FINAL.&lt;32 hex digits&gt;.tmp</c> beside the final name. Hidden, unique per write, and
/// recognisable, so that what a killed process left behind can be found again (<see cref="StaleTemporaries"/>).
/// </summary>
public static partial class TemporaryName
{
    /// <summary>A fresh temporary name for <paramref name="finalName"/> (a name, not a path).</summary>
    public static string For(string finalName) => $".{finalName}.{Guid.NewGuid():N}.tmp";

    /// <summary>The final name that <paramref name="name"/> is a temporary of, or null when it is not a temporary name.</summary>
    public static string? FinalNameOf(string name) => Pattern().Match(name) is { Success: true } match ? match.Groups["final"].Value : null;

    [GeneratedRegex(@"^\.(?<final>.+)\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
