using System.Globalization;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Adapters;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Adapters;

/// <summary>A hypernetwork applied during generation, as image metadata and manifests name it.</summary>
/// <param name="ShortHash">A1111's 10-digit hypernetwork hash.</param>
/// <param name="Trigger">The word a prompt must contain for the hypernetwork to apply; null when it applies to every prompt.</param>
public sealed record AppliedHypernetwork(string Name, string ShortHash, double Strength, string Path, string? Trigger = null);

/// <summary>
/// Reads hypernetwork files (<c>--hypernetwork FILE[:STRENGTH][@TRIGGER]</c>) and hooks them into a model's UNet until
/// disposed; one with a trigger is gated on it (<see cref="StableDiffusionModel.Gates"/>).
/// </summary>
public sealed class HypernetworkApplication : IDisposable
{
    readonly List<Hypernetwork> _networks;
    readonly HypernetworkHooks? _hooks;

    HypernetworkApplication(List<Hypernetwork> networks, HypernetworkHooks? hooks, IReadOnlyList<AppliedHypernetwork> applied)
    {
        _networks = networks;
        _hooks = hooks;
        Applied = applied;
    }

    /// <summary>What was applied, in order.</summary>
    public IReadOnlyList<AppliedHypernetwork> Applied { get; }

    /// <summary>Reads every file and hooks them all into <paramref name="model"/>'s UNet at their strengths, chained in order, each gated on its trigger when it has one.</summary>
    public static HypernetworkApplication Attach(StableDiffusionModel model, IReadOnlyList<(string Path, double Strength, string? Trigger)> files, IWorkflowReporter reporter)
    {
        var networks = new List<Hypernetwork>();
        HypernetworkHooks? hooks = null;
        try
        {
            var weighted = new List<WeightedHypernetwork>();
            foreach (var (path, strength, trigger) in files)
            {
                var network = HypernetworkFile.Read(path);
                networks.Add(network);
                weighted.Add(new WeightedHypernetwork(network, strength) { Gate = trigger is null ? null : model.Gates.Add(trigger) });
            }
            if (weighted.Count == 0) return new HypernetworkApplication(networks, null, []);
            hooks = HypernetworkHooks.Attach(model.Unet, weighted);
            foreach (var (network, strength) in weighted)
            {
                var unused = network.Modules.Keys.Where(width => !hooks.ContextWidths.Contains(width)).ToList();
                if (unused.Count == network.Modules.Count)
                    throw new ArgumentException($"{network.FilePath}: none of its context widths ({string.Join(", ", network.Modules.Keys)}) occurs in this model's attention layers ({string.Join(", ", hooks.ContextWidths)}); is it for another model family?");
                reporter.Message($"Hypernetwork {network.Name} at strength {strength.ToString(CultureInfo.InvariantCulture)}: modules for context widths {string.Join(", ", network.Modules.Keys)}");
                if (unused.Count > 0)
                    reporter.Warning($"{network.Name}: this model has no attention context of width {string.Join(", ", unused)}; those modules are unused");
            }
            var applied = weighted.Select(w => new AppliedHypernetwork(w.Network.Name, w.Network.ShortHash, w.Strength, w.Network.FilePath, w.Gate?.Trigger)).ToList();
            return new HypernetworkApplication(networks, hooks, applied);
        }
        catch
        {
            hooks?.Dispose();
            foreach (var network in networks) network.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _hooks?.Dispose();
        foreach (var network in _networks) network.Dispose();
    }
}
