using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>
/// How different a prompt's images are from each other, seen through the classifier's embedding: the mean L2
/// distance over all pairs of images. 0 means every seed gave the same picture (mode collapse, or an overfitted
/// fine-tune); larger is more varied.
/// </summary>
public static class FeatureDiversity
{
    /// <summary>The mean distance over the N·(N−1)/2 unordered pairs of rows of <paramref name="features"/> [N, D], computed in float64.</summary>
    public static double MeanPairwiseDistance(Tensor features)
    {
        if (features.dim() != 2 || features.shape[0] < 2)
            throw new ArgumentException($"diversity needs features [N, D] of at least two images, got [{string.Join(", ", features.shape)}]", nameof(features));
        using var scope = NewDisposeScope();
        var rows = features.to(ScalarType.Float64);
        long count = rows.shape[0];
        var distances = (rows.unsqueeze(1) - rows.unsqueeze(0)).square().sum(-1).sqrt();
        // The full matrix counts each pair twice and has zeros on its diagonal.
        return distances.sum().item<double>() / (count * (count - 1));
    }
}
