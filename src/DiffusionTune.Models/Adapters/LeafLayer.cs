using DiffusionTune.Contracts;
using DiffusionTune.IO.Formats;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Adapters;

/// <summary>
/// A Linear or Conv2d layer that adapters change, with the means to run its operation on other weights: the whole
/// operation (stride, padding, dilation) for down projections and weight deltas, and a pointwise one for up projections.
/// </summary>
internal sealed class LeafLayer
{
    readonly Convolution? _convolution;

    public LeafLayer(ModelComponent component, string name, nn.Module<Tensor, Tensor> module)
    {
        if (module is Convolution convolution)
        {
            // Our models build neither kind; both would need their own handling in Apply.
            if (convolution.transposed || convolution.groups != 1 || convolution.padding is null || convolution.padding_mode != PaddingModes.Zeros)
                throw new NotSupportedException($"{component.FolderName()}/{name}: adapters support ungrouped, zero-padded convolutions with explicit padding");
            _convolution = convolution;
        }
        else if (module is not Linear)
        {
            throw new ArgumentException($"{component.FolderName()}/{name}: only Linear and Conv2d layers can be adapted, not {module.GetType().Name}", nameof(module));
        }
        Module = module;
        Target = new AdaptableModule(component, name, Weight.shape);
    }

    public AdaptableModule Target { get; }

    public nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>The current weight parameter (looked up each time: moving a module to another device or dtype replaces it).</summary>
    public Parameter Weight => _convolution?.weight ?? ((Linear)Module).weight;

    /// <summary>This layer's operation on <paramref name="input"/> with <paramref name="weight"/> in place of its own, and no bias.</summary>
    public Tensor Apply(Tensor input, Tensor weight) => _convolution is null
        ? nn.functional.linear(input, weight)
        : SafeConvolution.Conv2d(input, weight, null, _convolution.stride, _convolution.padding, _convolution.dilation);

    /// <summary>A pointwise projection (a Linear map, or a 1×1 stride-1 convolution) of <paramref name="hidden"/>, as LoRA's up half.</summary>
    public Tensor Project(Tensor hidden, Tensor weight) => _convolution is null
        ? nn.functional.linear(hidden, weight)
        : SafeConvolution.Conv2d(hidden, weight);
}
