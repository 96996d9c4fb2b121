using System.CommandLine;
using DiffusionTune.Workflows.Adapters;

namespace DiffusionTune.Cli.Commands;

/// <summary>The <c>--lora</c>, <c>--embeddings</c>, <c>--hypernetwork</c> and <c>--adapter</c> (with <c>--plugins-folder</c>) options of the commands that run a model with adapters.</summary>
/// <remarks><c>--lora</c> and <c>--hypernetwork</c> take <c>@TRIGGER</c>, and <c>--gated</c> gates the others on their files' recorded triggers.</remarks>
public sealed class AdapterOptions(string loraDescription = "A LoRA-family file (kohya/A1111, PEFT, diffusers, LyCORIS LoHa/LoKr, DoRA) merged into the model at STRENGTH (default 1); with @TRIGGER it applies only to prompts containing that word; repeat to stack several")
{
    readonly Option<string[]> _loras = CommonOptions.Lora(loraDescription);
    readonly Option<string?> _embeddings = CommonOptions.Embeddings();
    readonly Option<string[]> _hypernetworks = CommonOptions.Hypernetworks();
    readonly Option<string[]> _pluginAdapters = CommonOptions.PluginAdapters();
    readonly Option<string[]> _pluginFolders = CommonOptions.PluginsFolder();
    readonly Option<bool> _gated = new("--gated")
    {
        Description = "Apply every --lora and --hypernetwork only to prompts containing its trigger word: the one after @, else the one its trainer recorded (zero drift on other prompts)",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_loras);
        command.Options.Add(_embeddings);
        command.Options.Add(_hypernetworks);
        command.Options.Add(_gated);
        command.Options.Add(_pluginAdapters);
        command.Options.Add(_pluginFolders);
    }

    /// <summary>The adapters given; the LoRA and adapter arguments are parsed here, so a bad one fails before any model loads.</summary>
    public ModelAdapters Read(ParseResult result) => new()
    {
        Loras = (result.GetValue(_loras) ?? []).Select(LoraArgument.Parse).ToList(),
        Embeddings = result.GetValue(_embeddings),
        Hypernetworks = result.GetValue(_hypernetworks) ?? [],
        Gated = result.GetValue(_gated),
        PluginAdapters = (result.GetValue(_pluginAdapters) ?? []).Select(PluginAdapterApplication.Parse).ToList(),
        PluginFolders = result.GetValue(_pluginFolders) ?? [],
    };
}
