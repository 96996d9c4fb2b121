using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>One resolution level of <see cref="ShapesClassifier"/>: a stride-2 block, then a block added residually (which speeds up training).</summary>
sealed class ClassifierStage : nn.Module<Tensor, Tensor>
{
    private readonly ClassifierConvBlock downsample;
    private readonly ClassifierConvBlock block;

    public ClassifierStage(long inChannels, long outChannels, int groups) : base(nameof(ClassifierStage))
    {
        downsample = new ClassifierConvBlock(inChannels, outChannels, groups, stride: 2);
        block = new ClassifierConvBlock(outChannels, outChannels, groups);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = downsample.call(input);
        return scope.MoveToOuter(hidden + block.call(hidden));
    }
}
