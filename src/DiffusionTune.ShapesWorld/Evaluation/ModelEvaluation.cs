using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>A model's results on a prompt set: per prompt, and pooled over all prompts. Disposing frees every prompt's tensors.</summary>
public sealed class ModelEvaluation(IReadOnlyList<PromptEvaluation> prompts) : IDisposable
{
    public IReadOnlyList<PromptEvaluation> Prompts { get; } = prompts;

    /// <summary>Adherence over every prompt's images together.</summary>
    public PromptAdherence Adherence { get; } = PromptAdherence.Pool(prompts.Select(p => p.Adherence));

    /// <summary>The mean over prompts of each prompt's diversity.</summary>
    public double Diversity { get; } = prompts.Average(p => p.Diversity);

    /// <summary>Every image's embedding [prompts·N, D], prompt by prompt: the distribution the Fréchet distance compares.</summary>
    public Tensor PooledFeatures() => cat([.. Prompts.Select(p => p.Features)], 0);

    public void Dispose()
    {
        foreach (var prompt in Prompts) prompt.Dispose();
    }
}
