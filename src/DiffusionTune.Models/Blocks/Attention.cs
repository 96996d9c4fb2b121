using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Blocks;

/// <summary>
/// diffusers' <c>Attention</c> (multi-head, optional cross-attention), computed with scaled_dot_product_attention.
/// The VAE's mid-block variant (<c>groupNormGroups</c> set) works on [B, C, H, W] maps: GroupNorm first, attention
/// over the H·W positions, then the residual added back.
/// </summary>
public sealed class Attention : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly GroupNorm? group_norm;
    private readonly Linear to_q;
    private readonly Linear to_k;
    private readonly Linear to_v;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> to_out;
    private readonly long _heads;

    public Attention(long queryDim, long? crossAttentionDim, long heads, long headDim, bool bias,
        int? groupNormGroups = null, double groupNormEps = 1e-6)
        : base(nameof(Attention))
    {
        long inner = heads * headDim;
        if (groupNormGroups is int groups)
            group_norm = Layers.GroupNorm(groups, queryDim, groupNormEps);
        to_q = Layers.Linear(queryDim, inner, bias: bias);
        to_k = Layers.Linear(crossAttentionDim ?? queryDim, inner, bias: bias);
        to_v = Layers.Linear(crossAttentionDim ?? queryDim, inner, bias: bias);
        to_out = nn.ModuleList<nn.Module<Tensor, Tensor>>(Layers.Linear(inner, queryDim, bias: true), nn.Dropout(0.0));
        _heads = heads;
        RegisterComponents();
    }

    /// <summary>Number of attention heads.</summary>
    public long Heads => _heads;

    /// <summary>Width of the queries, keys and values (all heads together).</summary>
    public long InnerDim => to_q.weight!.shape[0];

    /// <param name="hidden">[B, N, C] tokens, or [B, C, H, W] for the spatial (VAE) variant.</param>
    /// <param name="context">[B, M, D] cross-attention context, or null for self-attention.</param>
    public override Tensor forward(Tensor hidden, Tensor? context)
    {
        using var scope = NewDisposeScope();
        var residual = hidden;
        long[]? spatialShape = null;
        if (hidden.dim() == 4)
        {
            spatialShape = hidden.shape;
            hidden = hidden.flatten(2).transpose(1, 2);
        }
        if (group_norm is not null)
            hidden = group_norm.call(hidden.transpose(1, 2)).transpose(1, 2);

        var source = context ?? hidden;
        var q = SplitHeads(to_q.call(hidden));
        var k = SplitHeads(to_k.call(source));
        var v = SplitHeads(to_v.call(source));
        var attended = ExplicitPaysOff(q, k, v) ? ExplicitAttention(q, k, v) : nn.functional.scaled_dot_product_attention(q, k, v);
        var batch = attended.shape[0];
        var merged = attended.transpose(1, 2).reshape(batch, -1, attended.shape[1] * attended.shape[3]);
        var output = to_out[1].call(to_out[0].call(merged));

        if (spatialShape is not null)
            output = output.transpose(1, 2).reshape(spatialShape);
        if (group_norm is not null)
            output = output + residual;
        return scope.MoveToOuter(output);
    }

    /// <summary>
    /// Attention matrices of up to this many elements are computed explicitly when gradients flow (64 MiB in bf16):
    /// all of SD 1.5's cross-attentions and its 256 px self-attentions, but not its 512 px ones (4096² per head).
    /// </summary>
    const long ExplicitAttentionElements = 32L << 20;

    /// <summary>
    /// libtorch's CPU SDPA (flash attention) has a backward 2–5× its forward; softmax(QKᵀ)V as plain matmuls
    /// differentiates at about 1.5× (SD 1.5 at 256 px, bf16: self-attention backward 161 → 98 ms, cross 44 → 20 ms),
    /// at the cost of keeping the attention matrix for backward, so it is used only for training and small matrices.
    /// </summary>
    static bool ExplicitPaysOff(Tensor q, Tensor k, Tensor v) =>
        is_grad_enabled() && (q.requires_grad || k.requires_grad || v.requires_grad)
        && q.shape[0] * q.shape[1] * q.shape[2] * k.shape[2] <= ExplicitAttentionElements;

    static Tensor ExplicitAttention(Tensor q, Tensor k, Tensor v)
    {
        var scaled = q * (1.0 / Math.Sqrt(q.shape[^1]));
        return matmul(matmul(scaled, k.transpose(-2, -1)).softmax(-1), v);
    }

    Tensor SplitHeads(Tensor x) => x.view(x.shape[0], x.shape[1], _heads, -1).transpose(1, 2);
}
