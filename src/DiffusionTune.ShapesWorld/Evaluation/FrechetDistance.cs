using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>
/// The Fréchet distance between two sets of feature vectors, each summarised as a Gaussian (mean and covariance):
/// ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2·(Σ₁Σ₂)^½), the measure behind FID. 0 for identical distributions. Like FID it is
/// biased upwards for small samples, so compare values only across runs with the same prompts and seeds.
/// </summary>
public static class FrechetDistance
{
    /// <summary>The distance between the Gaussians fitted to <paramref name="first"/> [N, D] and <paramref name="second"/> [M, D] (unbiased covariances, float64).</summary>
    public static double Between(Tensor first, Tensor second)
    {
        if (first.dim() != 2 || second.dim() != 2 || first.shape[1] != second.shape[1])
            throw new ArgumentException($"expected two feature sets [N, D] and [M, D], got [{string.Join(", ", first.shape)}] and [{string.Join(", ", second.shape)}]");
        if (first.shape[0] < 2 || second.shape[0] < 2)
            throw new ArgumentException("the Fréchet distance needs at least two feature vectors on each side");
        using var scope = NewDisposeScope();
        var (meanA, covarianceA) = Moments(first);
        var (meanB, covarianceB) = Moments(second);
        return BetweenGaussians(meanA, covarianceA, meanB, covarianceB);
    }

    /// <summary>
    /// The distance between N(<paramref name="meanA"/>, <paramref name="covarianceA"/>) and
    /// N(<paramref name="meanB"/>, <paramref name="covarianceB"/>). The trace of (Σ₁Σ₂)^½ is taken as that of
    /// (Σ₁^½ Σ₂ Σ₁^½)^½, which has the same eigenvalues but is symmetric, so both roots come from a symmetric
    /// eigen-decomposition (<see cref="MatrixSquareRoot.OfSymmetric"/>).
    /// </summary>
    public static double BetweenGaussians(Tensor meanA, Tensor covarianceA, Tensor meanB, Tensor covarianceB)
    {
        using var scope = NewDisposeScope();
        var (muA, muB) = (meanA.to(ScalarType.Float64), meanB.to(ScalarType.Float64));
        var (sigmaA, sigmaB) = (covarianceA.to(ScalarType.Float64), covarianceB.to(ScalarType.Float64));
        var rootA = MatrixSquareRoot.OfSymmetric(sigmaA);
        var crossRoot = MatrixSquareRoot.OfSymmetric(rootA.matmul(sigmaB).matmul(rootA));
        double meanTerm = (muA - muB).square().sum().item<double>();
        double traceTerm = (sigmaA.trace() + sigmaB.trace() - 2 * crossRoot.trace()).item<double>();
        // Rounding can leave a tiny negative value for identical distributions; a distance is never negative.
        return Math.Max(0, meanTerm + traceTerm);
    }

    /// <summary>The mean [D] and unbiased covariance [D, D] of rows [N, D], in float64.</summary>
    public static (Tensor Mean, Tensor Covariance) Moments(Tensor features)
    {
        using var scope = NewDisposeScope();
        var rows = features.to(ScalarType.Float64);
        var mean = rows.mean([0]);
        var centered = rows - mean;
        var covariance = centered.transpose(0, 1).matmul(centered) / (rows.shape[0] - 1);
        return (scope.MoveToOuter(mean), scope.MoveToOuter(covariance));
    }
}
