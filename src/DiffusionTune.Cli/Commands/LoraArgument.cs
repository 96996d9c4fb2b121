using System.CommandLine;
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

    /// <summary>Parses <c>FILE[:STRENGTH]</c> (see <see cref="FileStrengthArgument.Parse"/>).</summary>
    /// <exception cref="ArgumentException">The strength is not a finite number.</exception>
    /// <exception cref="ModelFileException">The file does not exist.</exception>
    public static LoraArgument Parse(string text)
    {
        var (path, strength) = FileStrengthArgument.Parse(text, "--lora", "LoRA");
        return new LoraArgument(path, strength);
    }
}
