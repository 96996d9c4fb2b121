using System.CommandLine;
using DiffusionTune.Workflows.Plugins;
using DiffusionTune.Workflows.Presets;

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

    /// <summary>The repeatable <c>--lora</c> option.</summary>
    /// <param name="gateable">Whether the command can gate LoRAs on a trigger word (its help then shows <c>@TRIGGER</c>).</param>
    public static Option<string[]> Lora(string description, bool gateable = true) => new("--lora")
    {
        Description = description,
        HelpName = gateable ? "FILE[:STRENGTH][@TRIGGER]" : "FILE[:STRENGTH]",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The <c>--embeddings FOLDER</c> option.</summary>
    public static Option<string?> Embeddings() => new("--embeddings")
    {
        Description = "A folder of textual-inversion embeddings (A1111/kohya/OneTrainer/diffusers, .safetensors or .pt), or one such file: each file's name becomes a word prompts can use",
    };

    /// <summary>The repeatable <c>--hypernetwork</c> option.</summary>
    public static Option<string[]> Hypernetworks() => new("--hypernetwork")
    {
        Description = "An A1111 hypernetwork (.pt, read safely, or DiffusionTune's .safetensors) applied at STRENGTH (default 1), only to prompts containing TRIGGER when given; repeat to chain several",
        HelpName = "FILE[:STRENGTH][@TRIGGER]",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The repeatable <c>--adapter</c> option.</summary>
    public static Option<string[]> PluginAdapters() => new("--adapter")
    {
        Description = "An adapter file of a plugin's own format (its metadata names the format; the plugin must be installed or in --plugins-folder), applied at STRENGTH (default 1); repeat to stack several",
        HelpName = "FILE[:STRENGTH]",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The repeatable <c>--presets-folder</c> option: extra folders searched for presets (<see cref="PresetLibrary"/>).</summary>
    public static Option<string[]> PresetsFolder() => new("--presets-folder")
    {
        Description = $"Extra folders of presets (*.yaml), searched before {PresetLibrary.UserFolder} and the built-in ones",
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => [],
    };

    /// <summary>The <c>--plugins-folder</c> option: extra folders where trainer plugins are looked for (<see cref="PluginRoots"/>).</summary>
    public static Option<string[]> PluginsFolder() => new("--plugins-folder")
    {
        Description = $"Extra folders of trainer plugins (each holding <Name>/<Name>.dll); also read from {PluginRoots.EnvironmentVariable}",
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => [],
    };
}
