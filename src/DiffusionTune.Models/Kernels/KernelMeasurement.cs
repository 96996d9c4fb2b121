using static TorchSharp.torch;

namespace DiffusionTune.Models.Kernels;

/// <summary>
/// How far one <see cref="KernelCase"/> in one dtype is from the same computation in fp64, over a few random draws:
/// the largest error of the output and of every input's gradient, each relative to the fp64 result's largest magnitude.
/// </summary>
/// <param name="NonFiniteDraws">Draws in which the output or a gradient held NaN or ±∞ (fp64 had none).</param>
/// <param name="WorstGradient">Which input's gradient was furthest off ("input", "weight 1", …), or null when none was.</param>
public sealed record KernelMeasurement(KernelCase Case, ScalarType DType, double OutputError, double GradientError, string? WorstGradient,
    int NonFiniteDraws, int Draws)
{
    /// <summary>
    /// The largest relative error a right kernel shows, by dtype: rounding alone stays below a tenth of it (fp32 about 1e-6,
    /// bf16 about 5e-3 even for long reductions), while the wrong kernels seen on affected hosts are off by 0.08 to 1.
    /// </summary>
    public static double Tolerance(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => 1e-4,
        ScalarType.BFloat16 => 5e-2,
        ScalarType.Float16 => 1e-2,
        _ => 1e-9,
    };

    public bool IsRight => NonFiniteDraws == 0 && OutputError <= Tolerance(DType) && GradientError <= Tolerance(DType);

    /// <summary>What is wrong, in a few words ("output off by 0.39, gradient of input off by 0.56, non-finite in 2 of 3 draws").</summary>
    public string Problem
    {
        get
        {
            if (IsRight) return "right";
            var parts = new List<string>();
            double tolerance = Tolerance(DType);
            if (OutputError > tolerance) parts.Add($"output off by {OutputError:G2}");
            if (GradientError > tolerance) parts.Add($"gradient of {WorstGradient} off by {GradientError:G2}");
            if (NonFiniteDraws > 0) parts.Add($"non-finite in {NonFiniteDraws} of {Draws} draws");
            return string.Join(", ", parts);
        }
    }
}
