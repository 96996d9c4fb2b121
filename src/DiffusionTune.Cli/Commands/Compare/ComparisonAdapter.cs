using DiffusionTune.Diffusion.Pipelines;

namespace DiffusionTune.Cli.Commands.Compare;

/// <summary>The kinds of adapter a comparison column can apply to its model.</summary>
public enum AdapterKind
{
    /// <summary>A LoRA-family file, merged into the weights (and unmerged after the column).</summary>
    Lora,

    /// <summary>An A1111 hypernetwork, hooked into the UNet's attention (and unhooked after the column).</summary>
    Hypernetwork,
}

/// <summary>An adapter file a comparison column applies, and at which strength.</summary>
public sealed record ComparisonAdapter(AdapterKind Kind, string Path, double Strength)
{
    /// <summary>Applies <paramref name="adapter"/> (nothing when null) to <paramref name="model"/> until disposed.</summary>
    public static AppliedAdapters Apply(StableDiffusionModel model, ComparisonAdapter? adapter) => AppliedAdapters.Apply(model,
        adapter?.Kind == AdapterKind.Lora ? [new LoraArgument(adapter.Path, adapter.Strength)] : [],
        adapter?.Kind == AdapterKind.Hypernetwork ? [(adapter.Path, adapter.Strength, null)] : []);
}
