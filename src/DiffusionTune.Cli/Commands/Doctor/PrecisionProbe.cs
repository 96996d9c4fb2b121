using System.Runtime.InteropServices;
using DiffusionTune.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Doctor;

/// <summary>Whether one device computes in one dtype, and how fast.</summary>
/// <param name="Device">cpu, cuda:0, …</param>
/// <param name="Precision">fp32, bf16 or fp16.</param>
/// <param name="Gflops">Matmul throughput at <see cref="PrecisionProbe.Size"/>² (indicative: a small matmul; <c>benchmark unet</c> measures properly).</param>
/// <param name="RelativeError">Largest error of the product against an fp32 CPU product, relative to its largest entry.</param>
/// <param name="Problem">Why it is unsupported: the error libtorch raised, or wrong numbers.</param>
public sealed record PrecisionSupport(string Device, string Precision, bool Supported, double? Gflops, double? RelativeError, string? Problem);

/// <summary>Tries a small matmul in each dtype on a device: does it run, are the numbers right, how fast is it.</summary>
public static class PrecisionProbe
{
    /// <summary>The matmul's size: large enough to show each dtype's speed, small enough to take seconds on a slow CPU.</summary>
    public const int Size = 512;

    /// <summary>
    /// The most relative error a working dtype shows on this product: bf16 keeps 8 significant bits, so its error is
    /// about 1%; a broken kernel is far off.
    /// </summary>
    const double Tolerance = 0.05;

    public static readonly ScalarType[] Dtypes = [ScalarType.Float32, ScalarType.BFloat16, ScalarType.Float16];

    public static PrecisionSupport Measure(Device device, ScalarType dtype)
    {
        string deviceName = device.ToString(), precision = Precision.NameOf(dtype);
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var generator = new Generator(0, CPU).manual_seed(0);
            var a = randn([Size, Size], ScalarType.Float32, CPU, generator: generator);
            var b = randn([Size, Size], ScalarType.Float32, CPU, generator: generator);
            var expected = a.matmul(b);
            var product = HostToDevice.Move(a, device, dtype).matmul(HostToDevice.Move(b, device, dtype)).to(ScalarType.Float32, CPU);
            double error = ((product - expected).abs().max() / expected.abs().max()).item<float>();
            if (!(error <= Tolerance))
                return new PrecisionSupport(deviceName, precision, false, null, error, $"wrong results (relative error {error:G3})");
            return new PrecisionSupport(deviceName, precision, true, MatmulPeak.Gflops(device, dtype, Size, repeats: 3), error, null);
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            return new PrecisionSupport(deviceName, precision, false, null, null, FirstLine(e.Message));
        }
    }

    static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
