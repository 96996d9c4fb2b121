using static TorchSharp.torch;

namespace DiffusionTune.Tests;

static class TensorAssert
{
    /// <summary>True when both tensors have the same shape, dtype and bit-for-bit values.</summary>
    public static bool Identical(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape) || a.dtype != b.dtype) return false;
        using var same = a.eq(b).all();
        return same.item<bool>();
    }

    /// <summary>Asserts <c>|actual - expected| &lt;= atol + rtol·|expected|</c> elementwise, reporting the worst element.</summary>
    public static void Close(Tensor expected, Tensor actual, double rtol, double atol, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = NewDisposeScope();
        var e = expected.to(ScalarType.Float64).cpu();
        var a = actual.to(ScalarType.Float64).cpu();
        var excess = (a - e).abs() - (e.abs() * rtol + atol);
        var worst = excess.max().item<double>();
        var maxDiff = (a - e).abs().max().item<double>();
        Assert.True(worst <= 0, $"{what}: max |diff| {maxDiff:G4} exceeds atol {atol} + rtol {rtol}·|expected| (max |expected| {e.abs().max().item<double>():G4})");
    }
}
