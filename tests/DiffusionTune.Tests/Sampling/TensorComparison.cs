using static TorchSharp.torch;

namespace DiffusionTune.Tests.Sampling;

/// <summary>
/// How far a tensor is from a reference under the fixtures' rule |a − b| ≤ atol + rtol·|b|: the largest absolute
/// difference and the largest ratio of a difference to its allowance (≤ 1 passes).
/// </summary>
readonly record struct TensorComparison(double MaxAbsDiff, double WorstAllowanceRatio)
{
    public bool Passes => WorstAllowanceRatio <= 1;

    public static TensorComparison Of(Tensor actual, Tensor expected, double rtol, double atol)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = NewDisposeScope();
        var a = actual.to(ScalarType.Float64, CPU);
        var b = expected.to(ScalarType.Float64, CPU);
        var diff = (a - b).abs();
        var ratio = diff / (b.abs() * rtol + atol);
        return new TensorComparison(diff.max().item<double>(), ratio.max().item<double>());
    }

    /// <summary>Asserts closeness and returns the comparison for reporting.</summary>
    public static TensorComparison AssertClose(Tensor actual, Tensor expected, double rtol, double atol, string what)
    {
        var comparison = Of(actual, expected, rtol, atol);
        Assert.True(comparison.Passes,
            $"{what}: max |diff| {comparison.MaxAbsDiff:G3} exceeds atol {atol:G3} + rtol {rtol:G3}·|expected| (worst at {comparison.WorstAllowanceRatio:G3}× the allowance)");
        return comparison;
    }

    public static void AssertClose(IReadOnlyList<float> actual, IReadOnlyList<double> expected, double rtol, double atol, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < actual.Count; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= atol + rtol * Math.Abs(expected[i]),
                $"{what}[{i}]: {actual[i]:R} vs expected {expected[i]:R}");
    }
}
