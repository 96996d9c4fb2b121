using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Clip;

/// <summary>The stack of CLIP transformer layers.</summary>
public sealed class ClipEncoder : nn.Module<Tensor, int, Tensor[]>
{
    private readonly ModuleList<ClipEncoderLayer> layers;

    public ClipEncoder(ClipTextConfig config) : base(nameof(ClipEncoder))
    {
        layers = nn.ModuleList(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new ClipEncoderLayer(config)).ToArray());
        RegisterComponents();
    }

    public int LayerCount => layers.Count;

    /// <summary>Runs the first <paramref name="layerCount"/> layers; returns the input and every layer's output (hidden_states).</summary>
    public override Tensor[] forward(Tensor embeddings, int layerCount)
    {
        var states = new Tensor[layerCount + 1];
        states[0] = embeddings;
        for (int i = 0; i < layerCount; i++) states[i + 1] = layers[i].call(states[i]);
        return states;
    }
}
