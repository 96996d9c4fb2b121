using System.Globalization;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Adapters;
using DiffusionTune.Models.Merging;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Adapters;

/// <summary>A LoRA applied to a model, as image metadata and manifests name it.</summary>
/// <param name="ShortHash">A1111's 12-digit LoRA hash.</param>
/// <param name="Trigger">The word a prompt must contain for the LoRA to apply; null when it applies to every prompt (merged).</param>
public sealed record AppliedLora(string Name, string ShortHash, double Strength, string Path, string? Trigger = null)
{
    /// <summary>The record of <paramref name="network"/>, read for <paramref name="argument"/>.</summary>
    public static AppliedLora Of(LoraNetwork network, LoraArgument argument) =>
        new(network.Name, network.ShortHash, argument.Strength, network.FilePath, argument.Trigger);
}

/// <summary>Reads LoRA files (<c>--lora</c>) for a loaded model, reports the keys they skip, and merges them into its weights.</summary>
public static class LoraMerging
{
    const int ListedKeys = 5;

    /// <summary>
    /// Merges every LoRA (in order) into <paramref name="model"/> for good, each layer's strength times the α of its
    /// block when <paramref name="blockStrengths"/> is given; returns what was applied.
    /// </summary>
    public static IReadOnlyList<AppliedLora> MergeInto(StableDiffusionModel model, IReadOnlyList<LoraArgument> loras, IWorkflowReporter reporter, BlockWeights? blockStrengths = null)
    {
        var (merged, applied) = Merge(model, loras, restorable: false, reporter, blockStrengths);
        merged?.Dispose();
        return applied;
    }

    /// <summary>
    /// Merges every LoRA (in order) into <paramref name="model"/>; with <paramref name="restorable"/> the returned merge
    /// can be undone (<see cref="MergedLoras.Unmerge"/>). The merge is null when there is nothing to merge.
    /// </summary>
    public static (MergedLoras? Merge, IReadOnlyList<AppliedLora> Applied) Merge(StableDiffusionModel model, IReadOnlyList<LoraArgument> loras, bool restorable,
        IWorkflowReporter reporter, BlockWeights? blockStrengths = null)
    {
        if (loras.Count == 0) return (null, []);
        var layers = new AdaptableLayers(model.Unet, model.TextEncoder);
        var networks = new List<LoraNetwork>();
        try
        {
            foreach (var lora in loras) networks.Add(Read(lora.Path, layers.Targets, lora.Strength, reporter));
            var weighted = networks.Select((n, i) => new WeightedLora(n.Layers, loras[i].Strength) { BlockStrengths = blockStrengths, TextEncoderStrength = loras[i].TextEncoderStrength });
            var merged = MergedLoras.Merge(layers, weighted, restorable);
            return (merged, networks.Select((n, i) => AppliedLora.Of(n, loras[i])).ToList());
        }
        finally
        {
            foreach (var network in networks) network.Dispose();
        }
    }

    /// <summary>A1111's "Lora hashes" infotext value: <c>name: hash, …</c>, with ':' and ',' removed from names as A1111 does.</summary>
    public static string HashesText(IEnumerable<AppliedLora> loras) =>
        string.Join(", ", loras.Select(l => $"{CleanName(l.Name)}: {l.ShortHash}"));

    /// <summary>The strengths, in the same <c>name: value</c> form.</summary>
    public static string StrengthsText(IEnumerable<AppliedLora> loras) =>
        string.Join(", ", loras.Select(l => $"{CleanName(l.Name)}: {l.Strength.ToString("R", CultureInfo.InvariantCulture)}"));

    static string CleanName(string name) => name.Replace(":", "").Replace(",", "");

    /// <summary>Reads a LoRA file for the model whose layers are <paramref name="targets"/>, reporting the keys it skips.</summary>
    public static LoraNetwork Read(string path, AdapterTargets targets, double strength, IWorkflowReporter reporter)
    {
        var network = LoraNetwork.Read(path, targets);
        Report(network, strength, reporter);
        return network;
    }

    static void Report(LoraNetwork network, double strength, IWorkflowReporter reporter)
    {
        reporter.Message($"LoRA {network.Name} at strength {strength.ToString(CultureInfo.InvariantCulture)}: {network.Layers.Count} layer(s)");
        Warn(reporter, network, network.UnknownKeys, "key(s) of no known LoRA format (or leaving their layer incomplete)");
        Warn(reporter, network, network.UnmatchedKeys, "key(s) for layers this model does not have");
    }

    static void Warn(IWorkflowReporter reporter, LoraNetwork network, IReadOnlyList<string> keys, string what)
    {
        if (keys.Count == 0) return;
        var listed = string.Join(", ", keys.Take(ListedKeys)) + (keys.Count > ListedKeys ? ", …" : "");
        reporter.Warning($"{network.Name}: ignored {keys.Count} {what}: {listed}");
    }
}
