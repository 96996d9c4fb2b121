using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Training.Engine;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Training;

public class FrozenPromptEncoderTests
{
    static readonly string[] Prompts = ["a star", "a red circle on a plain blue background"];

    [Fact]
    public void The_frozen_copy_keeps_encoding_as_the_base_did_while_the_live_encoder_changes()
    {
        using var model = StableDiffusionModel.Load(RandomTinyModel.SaveDiffusers(seed: 3));
        var hosted = new HostedDiffusionModel(model, clipSkip: 1);
        using var before = hosted.EncodePrompts(Prompts);
        using var frozen = hosted.FrozenPromptEncoderCopy();
        using (var copied = frozen.Encode(Prompts)) Assert.True(TensorAssert.Identical(before, copied));

        using (no_grad())
        {
            foreach (var parameter in model.TextEncoder.parameters()) parameter.add_(0.01);
        }
        using var live = hosted.EncodePrompts(Prompts);
        using var fromCopy = frozen.Encode(Prompts);

        Assert.False(TensorAssert.Identical(before, live), "changing the live encoder did not change its encoding");
        Assert.True(TensorAssert.Identical(before, fromCopy), "the frozen copy followed the live encoder");
        Assert.False(fromCopy.requires_grad);
    }
}
