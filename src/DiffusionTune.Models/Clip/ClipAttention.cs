using DiffusionTune.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Clip;

/// <summary>CLIP's causal multi-head self-attention (q/k/v/out projections with biases).</summary>
public sealed class ClipAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear q_proj;
    private readonly Linear out_proj;
    private readonly long _heads;

    public ClipAttention(ClipTextConfig config) : base(nameof(ClipAttention))
    {
        k_proj = Layers.Linear(config.HiddenSize, config.HiddenSize);
        v_proj = Layers.Linear(config.HiddenSize, config.HiddenSize);
        q_proj = Layers.Linear(config.HiddenSize, config.HiddenSize);
        out_proj = Layers.Linear(config.HiddenSize, config.HiddenSize);
        _heads = config.NumAttentionHeads;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        long batch = hidden.shape[0], length = hidden.shape[1], width = hidden.shape[2];
        Tensor Heads(Tensor x) => x.view(batch, length, _heads, -1).transpose(1, 2);
        var attended = nn.functional.scaled_dot_product_attention(
            Heads(q_proj.call(hidden)), Heads(k_proj.call(hidden)), Heads(v_proj.call(hidden)), is_casual: true);
        var output = out_proj.call(attended.transpose(1, 2).reshape(batch, length, width));
        return scope.MoveToOuter(output);
    }
}
