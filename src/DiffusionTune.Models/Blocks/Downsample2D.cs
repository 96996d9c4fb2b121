using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Blocks;

/// <summary>
/// diffusers' <c>Downsample2D</c> with a stride-2 3×3 conv. With <c>padding = 0</c> (the VAE encoder) the input is
/// first padded by one pixel on the right and bottom only, as the original LDM code does.
/// </summary>
public sealed class Downsample2D : nn.Module<Tensor, Tensor>
{
    private readonly SafeConv2d conv;
    private readonly bool _padRightBottom;

    public Downsample2D(long channels, long outChannels, long padding) : base(nameof(Downsample2D))
    {
        conv = Layers.Conv2d(channels, outChannels, 3, stride: 2, padding: padding);
        _padRightBottom = padding == 0;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        if (!_padRightBottom) return conv.call(input);
        using var padded = nn.functional.pad(input, [0, 1, 0, 1]);
        return conv.call(padded);
    }
}
