using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Comparison;

/// <summary>The kinds of adapter a comparison column can apply to its model.</summary>
public enum AdapterKind
{
    /// <summary>A LoRA-family file, merged into the weights (and unmerged after the column).</summary>
    Lora,

    /// <summary>An A1111 hypernetwork, hooked into the UNet's attention (and unhooked after the column).</summary>
    Hypernetwork,

    /// <summary>A plugin-format adapter (<c>--adapter</c>), applied by its plugin (and undone after the column).</summary>
    Plugin,
}

/// <summary>An adapter file a comparison column applies, and at which strength.</summary>
public sealed record ComparisonAdapter(AdapterKind Kind, string Path, double Strength)
{
    /// <summary>Extra plugin folders in which a <see cref="AdapterKind.Plugin"/> adapter's format is looked for.</summary>
    public IReadOnlyList<string> PluginFolders { get; init; } = [];

    /// <summary>Applies <paramref name="adapter"/> (nothing when null) to <paramref name="model"/> until disposed.</summary>
    public static AppliedAdapters Apply(StableDiffusionModel model, ComparisonAdapter? adapter, IWorkflowReporter reporter) => AppliedAdapters.Apply(model,
        adapter?.Kind == AdapterKind.Lora ? [new LoraArgument(adapter.Path, adapter.Strength)] : [],
        adapter?.Kind == AdapterKind.Hypernetwork ? [(adapter.Path, adapter.Strength, null)] : [],
        reporter, adapter?.Kind == AdapterKind.Plugin ? [(adapter.Path, adapter.Strength)] : [], adapter?.PluginFolders);
}
