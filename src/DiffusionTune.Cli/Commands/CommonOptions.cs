using System.CommandLine;

namespace DiffusionTune.Cli.Commands;

/// <summary>Options several commands share, created fresh per command (System.CommandLine symbols have one parent).</summary>
public static class CommonOptions
{
    public static Option<string> Device() => new("--device")
    {
        Description = "Where to compute: auto (CUDA when available), cpu, cuda or cuda:N",
        DefaultValueFactory = _ => "auto",
    };

    public static Option<string> Precision(string defaultValue) => new("--precision")
    {
        Description = "Compute dtype: fp32, bf16, or fp16 (with loss scaling when training; meant for CUDA, slow on the CPU)",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<string?> Tokenizer() => new("--tokenizer")
    {
        Description = "Tokenizer folder (vocab.json + merges.txt) for single files that carry none",
    };

    public static Option<string?> PredictionType() => new("--prediction-type")
    {
        Description = "epsilon or v_prediction; needed for SD 2.x single files of the 512-base kind (v is assumed)",
    };
}
