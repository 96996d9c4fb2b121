using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>Square roots of symmetric positive semi-definite matrices, such as covariance matrices.</summary>
public static class MatrixSquareRoot
{
    /// <summary>
    /// The symmetric positive semi-definite X with X·X = <paramref name="matrix"/>, in float64: Q·diag(√λ)·Qᵀ from the
    /// eigen-decomposition Q·diag(λ)·Qᵀ. The input is symmetrised first, and eigenvalues that rounding made slightly
    /// negative count as zero.
    /// </summary>
    public static Tensor OfSymmetric(Tensor matrix)
    {
        if (matrix.dim() != 2 || matrix.shape[0] != matrix.shape[1])
            throw new ArgumentException($"expected a square matrix, got [{string.Join(", ", matrix.shape)}]", nameof(matrix));
        using var scope = NewDisposeScope();
        var symmetric = matrix.to(ScalarType.Float64);
        symmetric = (symmetric + symmetric.transpose(0, 1)) / 2;
        var (eigenvalues, eigenvectors) = linalg.eigh(symmetric);
        var roots = eigenvalues.clamp(min: 0).sqrt();
        return scope.MoveToOuter((eigenvectors * roots.unsqueeze(0)).matmul(eigenvectors.transpose(0, 1)));
    }
}
