using DiffusionTune.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary>
/// Counts the floating-point operations of one forward pass (2 per multiply-add) in convolutions, linear layers and
/// attention matmuls, the work that dominates a UNet. (libtorch has no meta kernel for convolution, so it counts a real pass.)
/// </summary>
public sealed class FlopCounter : IDisposable
{
    readonly List<Action> _removeHooks = [];

    public FlopCounter(nn.Module model)
    {
        foreach (var module in model.modules())
        {
            switch (module)
            {
                case SafeConv2d conv:
                    var convHook = conv.register_forward_hook((m, input, output) =>
                    {
                        var weight = ((SafeConv2d)m).weight!;
                        long perOutput = weight.shape[1] * weight.shape[2] * weight.shape[3];
                        Convolution += 2.0 * output.numel() * perOutput;
                        return output;
                    });
                    _removeHooks.Add(convHook.remove);
                    break;
                case Linear linear:
                    var linearHook = linear.register_forward_hook((m, input, output) =>
                    {
                        Linear += 2.0 * output.numel() * ((Linear)m).weight!.shape[1];
                        return output;
                    });
                    _removeHooks.Add(linearHook.remove);
                    break;
                case Attention attention:
                    var attentionHook = attention.register_forward_hook((m, hidden, context, output) =>
                    {
                        // Q·Kᵀ and softmax(·)·V: each 2·B·N·M·inner.
                        bool spatial = hidden.dim() == 4;
                        long batch = hidden.shape[0];
                        long queries = spatial ? hidden.shape[2] * hidden.shape[3] : hidden.shape[1];
                        long inner = spatial ? hidden.shape[1] : hidden.shape[2];
                        long keys = context?.shape[1] ?? queries;
                        AttentionMatmuls += 4.0 * batch * queries * keys * inner;
                        return output;
                    });
                    _removeHooks.Add(attentionHook.remove);
                    break;
            }
        }
    }

    public double Convolution { get; private set; }

    public double Linear { get; private set; }

    public double AttentionMatmuls { get; private set; }

    public double Total => Convolution + Linear + AttentionMatmuls;

    public void Dispose()
    {
        foreach (var remove in _removeHooks) remove();
    }
}
