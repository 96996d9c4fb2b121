using System.CommandLine;
using DiffusionTune.Models.Merging;

namespace DiffusionTune.Cli.Commands;

/// <summary>The <c>--alpha SPEC</c> option of the merge commands: a global α or per-block α (<see cref="BlockWeights"/>).</summary>
public static class BlockWeightsArgument
{
    /// <summary>Explains the spec in help texts.</summary>
    public const string Syntax =
        "a number (e.g. 0.6) and/or comma-separated key=number entries: in, mid, out (UNet input/middle/output blocks), " +
        "attn, resnet (factors on the block α of transformer and resnet tensors), te (text encoder), vae; unset ones take the bare number, or 1";

    /// <summary>The option, created fresh per command.</summary>
    public static Option<string?> Option(string description, bool required) => new("--alpha")
    {
        Description = description,
        HelpName = "SPEC",
        Required = required,
    };

    /// <summary>Parses the spec, naming the option in errors.</summary>
    /// <exception cref="ArgumentException">The spec is malformed.</exception>
    public static BlockWeights Parse(string spec)
    {
        try
        {
            return BlockWeights.Parse(spec);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--alpha: {e.Message}", e);
        }
    }
}
