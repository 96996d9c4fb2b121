using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Unet;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Adapters;

/// <summary>A hypernetwork and the strength it applies at.</summary>
public sealed record WeightedHypernetwork(Hypernetwork Network, double Strength)
{
    /// <summary>Applies the network only to the batch rows whose prompt has this gate's trigger; null applies it to all.</summary>
    public AdapterGate? Gate { get; init; }
}

/// <summary>
/// Applies A1111 hypernetworks to a UNet through forward pre-hooks on the key and value projections (<c>to_k</c>,
/// <c>to_v</c>) of every attention layer: before <c>to_k</c> the context becomes <c>x + MLP_K(x)·strength</c>, before
/// <c>to_v</c> <c>x + MLP_V(x)·strength</c>, with the module pair chosen by the context's width, as A1111 chooses it.
/// Cross-attention contexts are the text features (768 wide in SD 1.x); self-attention contexts are the hidden states
/// (320, 640, 1280), so modules of those widths change self-attention. Several hypernetworks apply one after another,
/// in order. The MLPs compute in float32 on the UNet's device; the weights are copied there and owned by this object.
/// A gated network changes only the rows its <see cref="WeightedHypernetwork.Gate"/> opens. Dispose removes the hooks.
/// </summary>
public sealed class HypernetworkHooks : IDisposable
{
    readonly List<Action> _removals = [];
    readonly List<Tensor> _weights = [];
    readonly SortedSet<int> _contextWidths = [];

    HypernetworkHooks() { }

    /// <summary>How many projections carry a hook.</summary>
    public int HookedProjections => _removals.Count;

    /// <summary>Every context width the UNet's key/value projections take, hooked or not.</summary>
    public IReadOnlySet<int> ContextWidths => _contextWidths;

    /// <summary>Hooks <paramref name="networks"/> into <paramref name="unet"/>; a strength of 0 leaves a network out.</summary>
    public static HypernetworkHooks Attach(UNet2DConditionModel unet, IReadOnlyList<WeightedHypernetwork> networks)
    {
        var hooks = new HypernetworkHooks();
        try
        {
            var device = unet.parameters().First().device;
            foreach (var (name, module) in unet.named_modules())
            {
                bool isKey = name.EndsWith(".to_k", StringComparison.Ordinal), isValue = name.EndsWith(".to_v", StringComparison.Ordinal);
                if (module is not Linear projection || !(isKey || isValue)) continue;
                int width = (int)projection.weight!.shape[1];
                hooks._contextWidths.Add(width);
                var chain = networks
                    .Where(n => n.Strength != 0 && n.Network.Modules.ContainsKey(width))
                    .Select(n => (Layers: hooks.OnDevice(isKey ? n.Network.Modules[width].Key : n.Network.Modules[width].Value, device), n.Strength, n.Gate))
                    .ToList();
                if (chain.Count == 0) continue;
                var handle = projection.register_forward_pre_hook((_, context) =>
                {
                    var active = chain.Where(link => link.Gate?.AppliesToAny(context.shape[0]) != false).ToList();
                    if (active.Count == 0) return context;
                    // Rows a gate leaves out go to float32 and back unchanged: the round trip is exact.
                    var x = context.to(ScalarType.Float32);
                    foreach (var (layers, strength, gate) in active)
                        x = AdapterGate.AddTerm(gate, x, x, rows => Mlp(layers, rows) * strength);
                    return x.to(context.dtype);
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

    IReadOnlyList<HypernetworkLayer> OnDevice(IReadOnlyList<HypernetworkLayer> layers, Device device) =>
        layers.Select(layer => layer with { Weight = Copy(layer.Weight, device), Bias = Copy(layer.Bias, device) }).ToList();

    Tensor? Copy(Tensor? tensor, Device device)
    {
        if (tensor is null) return null;
        var copy = tensor.to(ScalarType.Float32, device, copy: true).DetachFromDisposeScope();
        _weights.Add(copy);
        return copy;
    }

    /// <summary>The module's MLP: Linear, activation, LayerNorm and (at inference, identity) Dropout slots in order.</summary>
    static Tensor Mlp(IReadOnlyList<HypernetworkLayer> layers, Tensor x)
    {
        foreach (var layer in layers)
        {
            x = layer.Slot.Kind switch
            {
                HypernetworkSlotKind.Linear => nn.functional.linear(x, layer.Weight!, layer.Bias),
                HypernetworkSlotKind.LayerNorm => nn.functional.layer_norm(x, [layer.Slot.Out], layer.Weight, layer.Bias),
                HypernetworkSlotKind.Activation => Activation(layer.Slot, x),
                _ => x,
            };
        }
        return x;
    }

    static Tensor Activation(HypernetworkSlot slot, Tensor x) => slot.ActivationName switch
    {
        "relu" => nn.functional.relu(x),
        "leakyrelu" => nn.functional.leaky_relu(x),
        "elu" => nn.functional.elu(x, 1.0),
        // A1111 maps "swish" to torch.nn.Hardswish.
        "swish" or "hardswish" => nn.functional.hardswish(x),
        "tanh" => x.tanh(),
        "sigmoid" => x.sigmoid(),
        "gelu" => nn.functional.gelu(x),
        "silu" => nn.functional.silu(x),
        "mish" => nn.functional.mish(x),
        "relu6" => nn.functional.relu6(x),
        "selu" => nn.functional.selu(x),
        "celu" => nn.functional.celu(x, 1.0),
        "softplus" => nn.functional.softplus(x),
        var other => throw new InvalidOperationException($"activation '{other}' has no implementation"),
    };

    public void Dispose()
    {
        foreach (var remove in _removals) remove();
        _removals.Clear();
        foreach (var weight in _weights) weight.Dispose();
        _weights.Clear();
    }
}
