using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Clip;
using DiffusionTune.Models.Unet;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Adapters;

/// <summary>
/// Every Linear and Conv2d layer of a UNet and its text encoder, by diffusers/transformers module name: what LoRA-family
/// adapters can change. <see cref="Targets"/> is what <see cref="LoraNetwork.Read"/> resolves a file's keys against.
/// </summary>
public sealed class AdaptableLayers
{
    readonly Dictionary<(ModelComponent, string), LeafLayer> _layers = [];

    public AdaptableLayers(UNet2DConditionModel unet, ClipTextModel textEncoder)
    {
        Add(ModelComponent.UNet, unet);
        Add(ModelComponent.TextEncoder, textEncoder);
        Targets = new AdapterTargets(_layers.Values.Select(layer => layer.Target));
    }

    public AdapterTargets Targets { get; }

    /// <summary>Every adaptable layer, UNet first, each component in module order.</summary>
    public IReadOnlyList<AdaptableModule> Modules => [.. _layers.Values.Select(layer => layer.Target)];

    /// <summary>The live layer <paramref name="target"/> names.</summary>
    /// <exception cref="ArgumentException">This model has no such layer, or its weight has another shape.</exception>
    internal LeafLayer this[AdaptableModule target]
    {
        get
        {
            if (!_layers.TryGetValue((target.Component, target.Name), out var layer))
                throw new ArgumentException($"this model has no layer {target}");
            if (!layer.Target.WeightShape.SequenceEqual(target.WeightShape))
                throw new ArgumentException($"{target} has weight shape [{string.Join(", ", layer.Target.WeightShape)}] in this model, not [{string.Join(", ", target.WeightShape)}]");
            return layer;
        }
    }

    void Add(ModelComponent component, nn.Module model)
    {
        foreach (var (name, module) in model.named_modules())
        {
            if (module is Linear or Convolution)
                _layers.Add((component, name), new LeafLayer(component, name, (nn.Module<Tensor, Tensor>)module));
        }
    }
}
