using System.CommandLine;
using DiffusionTune.IO;

namespace DiffusionTune.Cli.Commands;

/// <summary>
/// One <c>--lora FILE[:STRENGTH][@TRIGGER]</c> argument: a LoRA-family file, the strength to apply it at (1 when
/// omitted) and the word that gates it (null: it applies to every prompt).
/// </summary>
/// <param name="TextEncoderStrength">The text encoder's strength when it differs from the UNet's (a prompt tag's <c>te</c> multiplier); null: <paramref name="Strength"/>.</param>
public sealed record LoraArgument(string Path, double Strength, string? Trigger = null, double? TextEncoderStrength = null)
{
    /// <summary>The repeatable <c>--lora</c> option, created fresh per command.</summary>
    /// <param name="gateable">Whether the command can gate LoRAs on a trigger word (its help then shows <c>@TRIGGER</c>).</param>
    public static Option<string[]> Option(string description, bool gateable = true) => new("--lora")
    {
        Description = description,
        HelpName = gateable ? "FILE[:STRENGTH][@TRIGGER]" : "FILE[:STRENGTH]",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>Parses <c>FILE[:STRENGTH][@TRIGGER]</c> (see <see cref="GatedFileArgument.Parse"/>).</summary>
    /// <exception cref="ArgumentException">The strength is not a finite number, or the trigger not a word.</exception>
    /// <exception cref="ModelFileException">The file does not exist.</exception>
    public static LoraArgument Parse(string text)
    {
        var (path, strength, trigger) = GatedFileArgument.Parse(text, "--lora", "LoRA");
        return new LoraArgument(path, strength, trigger);
    }

    /// <summary>The argument as written on the command line: <c>FILE:STRENGTH</c>, with <c>@TRIGGER</c> when gated.</summary>
    public string Text => $"{Path}:{Strength.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}{(Trigger is null ? "" : "@" + Trigger)}";
}
