using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>
/// The first level of <see cref="ShapesClassifier"/>: each 2×2 block of pixels becomes one position with 12 channels
/// (space-to-depth, which loses nothing, so one-pixel details such as outlines and pixel-art steps survive), then a
/// block and a residual block at half resolution. Convolving three channels at full resolution would cost as much
/// as the rest of the network on a CPU.
/// </summary>
sealed class ClassifierStem : nn.Module<Tensor, Tensor>
{
    public const int Factor = 2;

    private readonly ClassifierConvBlock conv_in;
    private readonly ClassifierConvBlock block;

    public ClassifierStem(long outChannels, int groups) : base(nameof(ClassifierStem))
    {
        conv_in = new ClassifierConvBlock(3 * Factor * Factor, outChannels, groups);
        block = new ClassifierConvBlock(outChannels, outChannels, groups);
        RegisterComponents();
    }

    public override Tensor forward(Tensor image)
    {
        using var scope = NewDisposeScope();
        var hidden = conv_in.call(nn.functional.pixel_unshuffle(image, Factor));
        return scope.MoveToOuter(hidden + block.call(hidden));
    }
}
