using System.CommandLine;
using DiffusionTune.Workflows.Loading;

namespace DiffusionTune.Cli.Commands;

/// <summary>The options that say how a command loads its models, created fresh per command.</summary>
public sealed class ModelLoadingOptions
{
    public Option<string?> Tokenizer { get; } = CommonOptions.Tokenizer();

    public Option<string?> PredictionType { get; } = CommonOptions.PredictionType();

    public Option<string> Device { get; } = CommonOptions.Device();

    public Option<string> Precision { get; } = CommonOptions.Precision("fp32");

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Tokenizer, PredictionType, Device, Precision }) command.Add(option);
    }

    public ModelLoadingSettings Read(ParseResult result) => new()
    {
        Tokenizer = result.GetValue(Tokenizer),
        PredictionType = result.GetValue(PredictionType),
        Device = result.GetValue(Device)!,
        Precision = result.GetValue(Precision)!,
    };
}
