using DiffusionTune.IO;

namespace DiffusionTune.Workflows.Adapters;

/// <summary>
/// One <c>--lora FILE[:STRENGTH][@TRIGGER]</c> argument: a LoRA-family file, the strength to apply it at (1 when
/// omitted) and the word that gates it (null: it applies to every prompt).
/// </summary>
/// <param name="TextEncoderStrength">The text encoder's strength when it differs from the UNet's (a prompt tag's <c>te</c> multiplier); null: <paramref name="Strength"/>.</param>
public sealed record LoraArgument(string Path, double Strength, string? Trigger = null, double? TextEncoderStrength = null)
{
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
