using System.CommandLine;

namespace DiffusionTune.Cli.Commands;

/// <summary>The <c>--lora</c>, <c>--embeddings</c> and <c>--hypernetwork</c> options of the commands that run a model with adapters.</summary>
public sealed class AdapterOptions
{
    readonly Option<string[]> _loras = LoraArgument.Option("A LoRA-family file (kohya/A1111, PEFT, diffusers, LyCORIS LoHa/LoKr, DoRA) merged into the model at STRENGTH (default 1); repeat to stack several");
    readonly Option<string?> _embeddings = EmbeddingLoading.Option();
    readonly Option<string[]> _hypernetworks = HypernetworkApplication.Option();

    public void AddTo(Command command)
    {
        command.Options.Add(_loras);
        command.Options.Add(_embeddings);
        command.Options.Add(_hypernetworks);
    }

    public AdapterSettings Read(ParseResult result) => new()
    {
        Loras = result.GetValue(_loras) ?? [],
        Embeddings = result.GetValue(_embeddings),
        Hypernetworks = result.GetValue(_hypernetworks) ?? [],
    };
}
