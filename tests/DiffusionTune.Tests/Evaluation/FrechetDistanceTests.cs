using DiffusionTune.ShapesWorld.Evaluation;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Evaluation;

public class FrechetDistanceTests
{
    [Fact]
    public void The_square_root_of_a_symmetric_matrix_is_the_known_one_and_squares_back()
    {
        // [[2, 1], [1, 2]]² = [[5, 4], [4, 5]].
        using var root = MatrixSquareRoot.OfSymmetric(tensor(new double[] { 5, 4, 4, 5 }, [2, 2]));
        Assert.Equal(new double[] { 2, 1, 1, 2 }, root.data<double>().ToArray(), new ToleranceComparer(1e-12));

        using var random = new Generator(0, CPU).manual_seed(3);
        using var factor = randn([6, 6], ScalarType.Float64, generator: random);
        using var covariance = factor.matmul(factor.transpose(0, 1));
        using var covarianceRoot = MatrixSquareRoot.OfSymmetric(covariance);
        using var squared = covarianceRoot.matmul(covarianceRoot);
        Assert.True(squared.allclose(covariance, rtol: 1e-9, atol: 1e-9));
    }

    [Fact]
    public void Identical_feature_sets_are_at_distance_zero()
    {
        using var random = new Generator(0, CPU).manual_seed(1);
        using var features = randn([64, 16], generator: random);
        Assert.Equal(0, FrechetDistance.Between(features, features), 1e-8);
    }

    [Fact]
    public void Shifting_every_feature_adds_the_squared_shift_and_nothing_else()
    {
        using var random = new Generator(0, CPU).manual_seed(2);
        using var features = randn([50, 4], ScalarType.Float64, generator: random);
        using var shifted = features + tensor(new double[] { 1, -2, 0, 0.5 });
        Assert.Equal(1 + 4 + 0.25, FrechetDistance.Between(features, shifted), 1e-8);
    }

    [Fact]
    public void Gaussians_with_diagonal_covariances_match_the_closed_form()
    {
        double[] meanA = [0, 1, 2], meanB = [1, 1, 0], varianceA = [1, 4, 9], varianceB = [4, 1, 16];
        // ‖μA − μB‖² + Σ (√a − √b)²
        double expected = meanA.Zip(meanB, (a, b) => (a - b) * (a - b)).Sum()
            + varianceA.Zip(varianceB, (a, b) => Math.Pow(Math.Sqrt(a) - Math.Sqrt(b), 2)).Sum();
        using var covarianceA = diag(tensor(varianceA));
        using var covarianceB = diag(tensor(varianceB));
        Assert.Equal(expected, FrechetDistance.BetweenGaussians(tensor(meanA), covarianceA, tensor(meanB), covarianceB), 1e-10);
    }

    [Fact]
    public void Against_the_identity_any_covariance_gives_the_sum_over_its_eigenvalues()
    {
        // With ΣA = I, Tr(I + ΣB − 2·ΣB^½) = Σ (1 − √λ)² over the eigenvalues λ of ΣB, whatever its eigenvectors:
        // a closed form for covariances that do not commute with each other's roots trivially.
        double[] eigenvalues = [0.25, 1, 4, 9];
        using var random = new Generator(0, CPU).manual_seed(4);
        var (q, _) = linalg.qr(randn([4, 4], ScalarType.Float64, generator: random));
        using var covarianceB = q.matmul(diag(tensor(eigenvalues))).matmul(q.transpose(0, 1));
        using var origin = zeros(4, ScalarType.Float64);
        double expected = eigenvalues.Sum(l => Math.Pow(1 - Math.Sqrt(l), 2));
        Assert.Equal(expected, FrechetDistance.BetweenGaussians(origin, eye(4, dtype: ScalarType.Float64), origin, covarianceB), 1e-10);
    }

    [Fact]
    public void Two_samples_of_one_gaussian_are_close_and_far_from_a_different_one()
    {
        using var random = new Generator(0, CPU).manual_seed(5);
        using var first = randn([4000, 3], ScalarType.Float64, generator: random);
        using var second = randn([4000, 3], ScalarType.Float64, generator: random);
        using var wider = randn([4000, 3], ScalarType.Float64, generator: random) * 2;
        Assert.True(FrechetDistance.Between(first, second) < 0.02);
        // Closed form for N(0, I) against N(0, 4I): 3 · (1 − 2)² = 3.
        Assert.Equal(3, FrechetDistance.Between(first, wider), 0.2);
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double value) => 0;
    }
}
