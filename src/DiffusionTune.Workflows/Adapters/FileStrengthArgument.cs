using System.Globalization;
using DiffusionTune.IO;

namespace DiffusionTune.Workflows.Adapters;

/// <summary>Parses <c>FILE[:STRENGTH]</c> arguments (<c>--lora</c>, <c>--hypernetwork</c>): a file and a strength, 1 when omitted.</summary>
public static class FileStrengthArgument
{
    /// <summary>
    /// Parses <c>FILE[:STRENGTH]</c>. The strength follows the last ':' (so Windows drive letters stay in the path);
    /// the file must exist, so a mistyped path fails before a model is loaded.
    /// </summary>
    /// <param name="option">The option, for messages (<c>--lora</c>).</param>
    /// <param name="what">What the file is, for messages (<c>LoRA</c>).</param>
    /// <exception cref="ArgumentException">The strength is not a finite number.</exception>
    /// <exception cref="ModelFileException">The file does not exist.</exception>
    public static (string Path, double Strength) Parse(string text, string option, string what)
    {
        int colon = text.LastIndexOf(':');
        if (colon > 0 && !File.Exists(text))
        {
            var (path, tail) = (text[..colon], text[(colon + 1)..]);
            if (double.TryParse(tail, NumberStyles.Float, CultureInfo.InvariantCulture, out var strength))
            {
                if (!double.IsFinite(strength)) throw new ArgumentException($"{option} {text}: the strength must be a finite number");
                return (Existing(path, what), strength);
            }
            if (File.Exists(path)) throw new ArgumentException($"{option} {text}: '{tail}' is not a strength (write FILE:0.8)");
        }
        return (Existing(text, what), 1.0);
    }

    /// <summary>Whether <paramref name="text"/> is an existing file, or one followed by <c>:</c> and anything.</summary>
    public static bool NamesFile(string text)
    {
        int colon = text.LastIndexOf(':');
        return File.Exists(text) || (colon > 0 && File.Exists(text[..colon]));
    }

    static string Existing(string path, string what) => File.Exists(path) ? path : throw new ModelFileException(path, $"{what} file not found");
}
