using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Blocks;

/// <summary>Pre-LayerNorm transformer block: self-attention, cross-attention on the text context, GEGLU feed-forward.</summary>
public sealed class BasicTransformerBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly Attention attn1;
    private readonly LayerNorm norm2;
    private readonly Attention attn2;
    private readonly LayerNorm norm3;
    private readonly FeedForward ff;
    private readonly bool _onlyCrossAttention;

    /// <param name="onlyCrossAttention">diffusers' <c>only_cross_attention</c>: the first attention also attends to the context.</param>
    public BasicTransformerBlock(long dim, long heads, long headDim, long crossAttentionDim, bool onlyCrossAttention)
        : base(nameof(BasicTransformerBlock))
    {
        norm1 = Layers.LayerNorm(dim, 1e-5);
        attn1 = new Attention(dim, onlyCrossAttention ? crossAttentionDim : null, heads, headDim, bias: false);
        norm2 = Layers.LayerNorm(dim, 1e-5);
        attn2 = new Attention(dim, crossAttentionDim, heads, headDim, bias: false);
        norm3 = Layers.LayerNorm(dim, 1e-5);
        ff = new FeedForward(dim);
        _onlyCrossAttention = onlyCrossAttention;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor context)
    {
        using var scope = NewDisposeScope();
        hidden = attn1.call(norm1.call(hidden), _onlyCrossAttention ? context : null) + hidden;
        hidden = attn2.call(norm2.call(hidden), context) + hidden;
        hidden = ff.call(norm3.call(hidden)) + hidden;
        return scope.MoveToOuter(hidden);
    }
}
