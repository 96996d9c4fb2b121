using System.Text.RegularExpressions;
using DiffusionTune.IO;

namespace DiffusionTune.Workflows.Adapters;

/// <summary>
/// Parses <c>FILE[:STRENGTH][@TRIGGER]</c> adapter arguments (<c>--lora</c>, <c>--hypernetwork</c>): a file, a strength
/// (1 when omitted) and, after the last '@', the word a prompt must contain for the adapter to apply (none: always).
/// </summary>
public static partial class GatedFileArgument
{
    /// <summary>
    /// Parses <c>FILE[:STRENGTH][@TRIGGER]</c>. An '@' starts a trigger only when what precedes it names an existing file
    /// (with or without <c>:STRENGTH</c>), so paths that contain '@' themselves still work; the rest is
    /// <see cref="FileStrengthArgument.Parse"/>'s.
    /// </summary>
    /// <exception cref="ArgumentException">The trigger is empty or not one word, or the strength is not a finite number.</exception>
    /// <exception cref="ModelFileException">The file does not exist.</exception>
    public static (string Path, double Strength, string? Trigger) Parse(string text, string option, string what)
    {
        int at = text.LastIndexOf('@');
        if (at > 0 && !File.Exists(text) && FileStrengthArgument.NamesFile(text[..at]))
        {
            var trigger = text[(at + 1)..];
            if (!IsWord(trigger))
                throw new ArgumentException($"{option} {text}: '{trigger}' is not a trigger word (write FILE@sks: one word of letters, digits, '_' or '-')");
            var (path, strength) = FileStrengthArgument.Parse(text[..at], option, what);
            return (path, strength, trigger);
        }
        var (file, fileStrength) = FileStrengthArgument.Parse(text, option, what);
        return (file, fileStrength, null);
    }

    /// <summary>Whether <paramref name="text"/> is a single word a prompt can contain as a trigger.</summary>
    public static bool IsWord(string text) => TriggerWord().IsMatch(text);

    [GeneratedRegex(@"^[\p{L}\p{N}_-]+$")]
    private static partial Regex TriggerWord();
}
