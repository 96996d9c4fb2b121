using System.Globalization;
using System.Text.RegularExpressions;

namespace DiffusionTune.Training.Data;

/// <summary>
/// kohya's sd-scripts folder convention: a subfolder named <c>&lt;repeats&gt;_&lt;words&gt;</c> (<c>20_sks star</c>)
/// holds images that count <c>repeats</c> times per epoch and whose fallback caption is <c>words</c>.
/// </summary>
public static partial class KohyaFolderName
{
    /// <summary>Reads <paramref name="folderName"/>; false when it does not follow the convention.</summary>
    public static bool TryParse(string folderName, out int repeats, out string words)
    {
        repeats = 0;
        words = "";
        var match = Pattern().Match(folderName);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out repeats) || repeats < 1)
            return false;
        words = match.Groups[2].Value.Trim();
        return words.Length > 0;
    }

    [GeneratedRegex(@"^(\d+)_(.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
