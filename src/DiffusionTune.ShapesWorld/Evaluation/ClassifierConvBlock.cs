using DiffusionTune.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>A 3×3 convolution, GroupNorm and SiLU: the unit <see cref="ShapesClassifier"/> is built from.</summary>
sealed class ClassifierConvBlock : nn.Module<Tensor, Tensor>
{
    private readonly SafeConv2d conv;
    private readonly GroupNorm norm;

    public ClassifierConvBlock(long inChannels, long outChannels, int groups, long stride = 1) : base(nameof(ClassifierConvBlock))
    {
        conv = Layers.Conv2d(inChannels, outChannels, 3, stride, padding: 1);
        norm = Layers.GroupNorm(groups, outChannels, 1e-5);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(nn.functional.silu(norm.call(conv.call(input))));
    }
}
