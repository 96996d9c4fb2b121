using System.CommandLine;
using System.Globalization;
using DiffusionTune.IO;

namespace DiffusionTune.Cli.Commands;

/// <summary>One <c>--lora FILE[:STRENGTH]</c> argument: a LoRA-family file and the strength to apply it at (1 when omitted).</summary>
public sealed record LoraArgument(string Path, double Strength)
{
    /// <summary>The repeatable <c>--lora</c> option, created fresh per command.</summary>
    public static Option<string[]> Option(string description) => new("--lora")
    {
        Description = description,
        HelpName = "FILE[:STRENGTH]",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>
    /// Parses <c>FILE[:STRENGTH]</c>. The strength follows the last ':' (so Windows drive letters stay in the path);
    /// the file must exist, so a mistyped path fails before a model is loaded.
    /// </summary>
    /// <exception cref="ArgumentException">The strength is not a finite number.</exception>
    /// <exception cref="ModelFileException">The file does not exist.</exception>
    public static LoraArgument Parse(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon > 0 && !File.Exists(text))
        {
            var (path, tail) = (text[..colon], text[(colon + 1)..]);
            if (double.TryParse(tail, NumberStyles.Float, CultureInfo.InvariantCulture, out var strength))
            {
                if (!double.IsFinite(strength)) throw new ArgumentException($"--lora {text}: the strength must be a finite number");
                return new LoraArgument(Existing(path), strength);
            }
            if (File.Exists(path)) throw new ArgumentException($"--lora {text}: '{tail}' is not a strength (write FILE:0.8)");
        }
        return new LoraArgument(Existing(text), 1.0);
    }

    static string Existing(string path) => File.Exists(path) ? path : throw new ModelFileException(path, "LoRA file not found");
}
