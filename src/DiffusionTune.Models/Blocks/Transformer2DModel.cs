using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Blocks;

/// <summary>
/// diffusers' <c>Transformer2DModel</c> for continuous inputs (the UNet's spatial transformer): GroupNorm, project
/// in (1×1 conv in SD 1.x, linear in SD 2.x), transformer blocks over the H·W tokens, project out, add the input.
/// </summary>
public sealed class Transformer2DModel : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly GroupNorm norm;
    private readonly nn.Module<Tensor, Tensor> proj_in;
    private readonly ModuleList<BasicTransformerBlock> transformer_blocks;
    private readonly nn.Module<Tensor, Tensor> proj_out;
    private readonly bool _linearProjection;

    public Transformer2DModel(long channels, long heads, long crossAttentionDim, int groups, int layers,
        bool linearProjection, bool onlyCrossAttention)
        : base(nameof(Transformer2DModel))
    {
        long headDim = channels / heads;
        norm = Layers.GroupNorm(groups, channels, 1e-6);
        proj_in = linearProjection ? Layers.Linear(channels, channels) : Layers.Conv2d(channels, channels, 1);
        transformer_blocks = nn.ModuleList(Enumerable.Range(0, layers)
            .Select(_ => new BasicTransformerBlock(channels, heads, headDim, crossAttentionDim, onlyCrossAttention)).ToArray());
        proj_out = linearProjection ? Layers.Linear(channels, channels) : Layers.Conv2d(channels, channels, 1);
        _linearProjection = linearProjection;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input, Tensor context)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], channels = input.shape[1], height = input.shape[2], width = input.shape[3];
        var hidden = norm.call(input);
        if (_linearProjection)
        {
            hidden = proj_in.call(hidden.permute(0, 2, 3, 1).reshape(batch, height * width, channels));
        }
        else
        {
            hidden = proj_in.call(hidden);
            hidden = hidden.permute(0, 2, 3, 1).reshape(batch, height * width, channels);
        }
        foreach (var block in transformer_blocks) hidden = block.call(hidden, context);
        // Back to [B, C, H, W] as a contiguous copy: left as a permuted view, its channels-last strides would spread
        // through the residual add to every later layer, and libtorch's CPU convolutions then reorder their
        // (contiguous) weights on every call and compute weight gradients several times slower.
        if (_linearProjection)
        {
            hidden = proj_out.call(hidden).reshape(batch, height, width, channels).permute(0, 3, 1, 2).contiguous();
        }
        else
        {
            hidden = hidden.reshape(batch, height, width, channels).permute(0, 3, 1, 2).contiguous();
            hidden = proj_out.call(hidden);
        }
        return scope.MoveToOuter(hidden + input);
    }
}
