using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Blocks;

/// <summary>diffusers' <c>Upsample2D</c>: nearest-neighbour upsampling then a 3×3 conv.</summary>
public sealed class Upsample2D : nn.Module<Tensor, long[]?, Tensor>
{
    private readonly SafeConv2d conv;

    public Upsample2D(long channels, long outChannels) : base(nameof(Upsample2D))
    {
        conv = Layers.Conv2d(channels, outChannels, 3, padding: 1);
        RegisterComponents();
    }

    /// <param name="outputSize">Target height and width (the UNet passes its skip connection's size so odd sizes line up); null doubles.</param>
    public override Tensor forward(Tensor input, long[]? outputSize)
    {
        using var scope = NewDisposeScope();
        var upsampled = outputSize is null
            ? nn.functional.interpolate(input, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest)
            : nn.functional.interpolate(input, size: outputSize, mode: InterpolationMode.Nearest);
        return scope.MoveToOuter(conv.call(upsampled));
    }
}
