using DiffusionTune.Contracts;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Blocks;

/// <summary>
/// The Conv2d layer of every model: TorchSharp's <c>Conv2d</c> parameters (<c>weight</c>, <c>bias</c>, initialised as
/// PyTorch does), computed through <see cref="SafeConvolution"/>, which is right on CPUs whose libtorch convolution
/// kernels are not. Code that looks for convolution layers matches the base class, <see cref="Convolution"/>.
/// </summary>
public sealed class SafeConv2d : Convolution
{
    public SafeConv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding, Device? device)
        : base("Conv2d", inChannels, outChannels, [kernelSize, kernelSize], [stride, stride], [padding, padding],
            padding_type: null, dilation: [1, 1], transposed: false, output_padding: [0, 0], groups: 1, bias: true,
            PaddingModes.Zeros, device)
    {
    }

    public override Tensor forward(Tensor input) => SafeConvolution.Conv2d(input, weight, bias, stride, padding, dilation, groups);
}
