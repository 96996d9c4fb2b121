using static TorchSharp.torch;

namespace DiffusionTune.Models.Unet;

/// <summary>
/// Records the output of each of a UNet's blocks (<c>down_blocks.i</c>, <c>mid_block</c>, <c>up_blocks.i</c>) on every
/// forward pass, through forward hooks, so that two models' inner activations can be compared on the same input. A
/// down block's output is its hidden state (its last skip). Each pass replaces the previous pass's outputs, which this
/// object owns (copies, so later in-place work in the UNet cannot change them); Dispose removes the hooks and frees them.
/// The hooks run because the UNet calls its blocks with <c>.call()</c> (gradient-checkpointed training passes do not).
/// </summary>
public sealed class UNetBlockOutputs : IDisposable
{
    readonly List<Action> _removals = [];
    readonly Dictionary<string, Tensor> _outputs = new(StringComparer.Ordinal);

    UNetBlockOutputs(IReadOnlyList<string> blockNames) => BlockNames = blockNames;

    /// <summary>The blocks, in the order a forward pass runs them: down blocks, the mid block, up blocks.</summary>
    public IReadOnlyList<string> BlockNames { get; }

    /// <summary>The output of <paramref name="block"/> in the last forward pass.</summary>
    /// <exception cref="InvalidOperationException">No pass has run the block since the outputs were last cleared.</exception>
    public Tensor this[string block] => _outputs.TryGetValue(block, out var output)
        ? output
        : throw new InvalidOperationException($"no output of {block} has been recorded");

    /// <summary>Hooks every block of <paramref name="unet"/>.</summary>
    public static UNetBlockOutputs Attach(UNet2DConditionModel unet)
    {
        var blocks = unet.named_modules()
            .Where(m => m.module is UNetDownBlock or UNetMidBlock2DCrossAttn or UNetUpBlock)
            .OrderBy(m => m.module switch { UNetDownBlock => 0, UNetMidBlock2DCrossAttn => 1, _ => 2 })
            .ThenBy(m => int.TryParse(m.name[(m.name.LastIndexOf('.') + 1)..], out var index) ? index : 0)
            .ToList();
        var recorder = new UNetBlockOutputs(blocks.Select(b => b.name).ToList());
        foreach (var (name, module) in blocks)
        {
            switch (module)
            {
                case UNetDownBlock down:
                    recorder._removals.Add(down.register_forward_hook((_, _, _, _, output) =>
                    {
                        recorder.Keep(name, output.Hidden);
                        return output;
                    }).remove);
                    break;
                case UNetMidBlock2DCrossAttn mid:
                    recorder._removals.Add(mid.register_forward_hook((_, _, _, _, output) =>
                    {
                        recorder.Keep(name, output);
                        return output;
                    }).remove);
                    break;
                case UNetUpBlock up:
                    recorder._removals.Add(up.register_forward_hook((_, _, _, _, _, _, output) =>
                    {
                        recorder.Keep(name, output);
                        return output;
                    }).remove);
                    break;
            }
        }
        return recorder;
    }

    /// <summary>Frees the recorded outputs.</summary>
    public void Clear()
    {
        foreach (var output in _outputs.Values) output.Dispose();
        _outputs.Clear();
    }

    void Keep(string block, Tensor output)
    {
        if (_outputs.Remove(block, out var previous)) previous.Dispose();
        // The hook runs inside the UNet's dispose scope, which would free a tensor made here when the pass ends.
        _outputs[block] = output.detach().clone().DetachFromDisposeScope();
    }

    public void Dispose()
    {
        foreach (var remove in _removals) remove();
        _removals.Clear();
        Clear();
    }
}
