using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>Argument checks shared by the samplers, with messages that say what the pipeline got wrong.</summary>
static class SamplerArguments
{
    public static void CheckStepIndex(int stepIndex, int stepCount)
    {
        if (stepIndex < 0 || stepIndex >= stepCount)
            throw new ArgumentOutOfRangeException(nameof(stepIndex), stepIndex, $"the sampler has {stepCount} steps");
    }

    public static void CheckSameShape(Tensor modelOutput, Tensor sample)
    {
        if (!modelOutput.shape.SequenceEqual(sample.shape))
            throw new ArgumentException(
                $"the model output has shape [{string.Join(", ", modelOutput.shape)}] but the sample has [{string.Join(", ", sample.shape)}]",
                nameof(modelOutput));
    }
}
