using DiffusionTune.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Clip;

/// <summary>transformers' <c>CLIPTextTransformer</c>: embeddings, causal encoder, final LayerNorm.</summary>
public sealed class ClipTextTransformer : nn.Module<Tensor, Tensor>
{
    private readonly ClipTextEmbeddings embeddings;
    private readonly ClipEncoder encoder;
    private readonly LayerNorm final_layer_norm;

    public ClipTextTransformer(ClipTextConfig config) : base(nameof(ClipTextTransformer))
    {
        embeddings = new ClipTextEmbeddings(config);
        encoder = new ClipEncoder(config);
        final_layer_norm = Layers.LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    public ClipTextEmbeddings Embeddings => embeddings;

    public ClipEncoder Encoder => encoder;

    public LayerNorm FinalLayerNorm => final_layer_norm;

    /// <summary>last_hidden_state (all layers, final LayerNorm applied).</summary>
    public override Tensor forward(Tensor inputIds)
    {
        using var scope = NewDisposeScope();
        var states = encoder.call(embeddings.call(inputIds, null), encoder.LayerCount);
        return scope.MoveToOuter(final_layer_norm.call(states[^1]));
    }
}
