using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>What <see cref="ShapesClassifier"/> computes for a batch: the penultimate embedding and each head's logits.</summary>
/// <param name="Features">The embedding [B, feature_dim] (<see cref="ShapesClassifier.Features"/>).</param>
/// <param name="Logits">Logits [B, classes] per attribute.</param>
public sealed record ShapesClassifierOutput(Tensor Features, IReadOnlyDictionary<SceneAttribute, Tensor> Logits)
{
    /// <summary>The most likely class of every attribute, image by image.</summary>
    public SceneLabels[] Labels()
    {
        var indices = SceneLabels.Attributes.Select(attribute => Logits[attribute].argmax(1).cpu().data<long>().ToArray()).ToArray();
        int count = indices[0].Length;
        return [.. Enumerable.Range(0, count).Select(i => SceneLabels.FromIndices([.. indices.Select(head => (int)head[i])]))];
    }
}
