using DiffusionTune.IO.Formats;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Adapters;

/// <summary>
/// LoRA-family adapters applied at run time through forward hooks on the adapted Linear/Conv2d layers, the weights
/// left untouched: each adapted layer's output gains <c>s · up(down(x)) · alpha/rank</c> (plain LoRA and LoCon) or the
/// layer's operation on the adapter's weight change (LoHa, LoKr, DoRA). This is how adapters are trained and how a
/// strength can change between forward passes (<see cref="Strength"/>); for plain inference a merge is faster.
/// Several attachments stack (their terms add); Dispose removes the hooks. Hooks run because the models call their
/// leaf layers with <c>.call()</c>. A gated attachment (<see cref="AdapterGate"/>) adds its term only to the batch rows
/// whose prompt contains its trigger.
/// </summary>
public sealed class LoraHooks : IDisposable
{
    readonly List<Action> _removals = [];
    readonly List<AdapterContribution> _contributions = [];

    LoraHooks(double strength) => Strength = strength;

    /// <summary>The strength the adapters apply at, read on every forward pass; 0 leaves outputs exactly as they were.</summary>
    public double Strength { get; set; }

    /// <summary>How many layers carry a hook.</summary>
    public int LayerCount => _contributions.Count;

    /// <summary>Hooks <paramref name="adapters"/> into <paramref name="model"/>'s layers, for the rows <paramref name="gate"/> opens (all when null).</summary>
    /// <exception cref="ArgumentException">An adapter names a layer the model lacks or gives it another shape.</exception>
    public static LoraHooks Attach(AdaptableLayers model, IEnumerable<LoraLayer> adapters, double strength = 1.0, AdapterGate? gate = null)
    {
        var hooks = new LoraHooks(strength);
        try
        {
            foreach (var adapter in adapters)
            {
                var layer = model[adapter.Target];
                var contribution = AdapterContribution.For(adapter, layer);
                hooks._contributions.Add(contribution);
                var handle = layer.Module.register_forward_hook((_, input, output) =>
                {
                    double strength = hooks.Strength;
                    if (strength == 0 || gate?.AppliesToAny(output.shape[0]) == false) return output;
                    using var scope = NewDisposeScope();
                    return scope.MoveToOuter(AdapterGate.AddTerm(gate, output, input, rows => contribution.Compute(rows, strength)));
                });
                hooks._removals.Add(handle.remove);
            }
            return hooks;
        }
        catch
        {
            hooks.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var remove in _removals) remove();
        _removals.Clear();
        foreach (var contribution in _contributions) contribution.Dispose();
        _contributions.Clear();
    }
}
