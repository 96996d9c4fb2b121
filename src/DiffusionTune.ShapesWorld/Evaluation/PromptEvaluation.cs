using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>
/// One prompt's generated images and what the classifier made of them. Owns its tensors; disposed with the
/// <see cref="ModelEvaluation"/> that holds it.
/// </summary>
public sealed class PromptEvaluation : IDisposable
{
    public PromptEvaluation(EvaluationPrompt prompt, IReadOnlyList<long> seeds, Tensor images, SceneLabels[] predicted, Tensor features)
    {
        Prompt = prompt;
        Seeds = seeds;
        Images = images;
        Predicted = predicted;
        Features = features;
        Adherence = PromptAdherence.Measure(prompt.Expected, predicted);
        Diversity = FeatureDiversity.MeanPairwiseDistance(features);
    }

    public EvaluationPrompt Prompt { get; }

    public IReadOnlyList<long> Seeds { get; }

    /// <summary>The images [N, 3, H, W] in [-1, 1], float32 on the CPU, in seed order.</summary>
    public Tensor Images { get; }

    /// <summary>The classifier's reading of each image, in seed order.</summary>
    public IReadOnlyList<SceneLabels> Predicted { get; }

    /// <summary>The classifier's embedding of each image [N, D], float32 on the CPU.</summary>
    public Tensor Features { get; }

    public PromptAdherence Adherence { get; }

    /// <summary>The mean pairwise feature distance of the images (<see cref="FeatureDiversity"/>).</summary>
    public double Diversity { get; }

    public void Dispose()
    {
        Images.Dispose();
        Features.Dispose();
    }
}
