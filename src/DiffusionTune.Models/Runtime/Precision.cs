using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Runtime;

/// <summary>The <c>--precision</c> choice: the dtype models compute in.</summary>
public static class Precision
{
    /// <summary>
    /// The dtype <paramref name="spec"/> names. fp16 on the CPU works (libtorch 2.10 has CPU kernels for every op the
    /// models use) but is slow, so it is allowed with a <paramref name="warning"/> rather than refused.
    /// </summary>
    public static ScalarType Resolve(string spec, Device device, Action<string>? warning = null)
    {
        switch (spec.Trim().ToLowerInvariant())
        {
            case "fp32" or "float32": return ScalarType.Float32;
            case "bf16" or "bfloat16": return ScalarType.BFloat16;
            case "fp16" or "float16":
                if (device.type != DeviceType.CUDA)
                    warning?.Invoke("fp16 on the CPU is slow (its matmuls are several times slower than bf16's there); bf16 is the CPU's fast precision and needs no loss scaling");
                return ScalarType.Float16;
            default:
                throw new ArgumentException($"'{spec}' is not a precision: use fp32, bf16 or fp16 (fp16 is meant for CUDA)");
        }
    }

    public static string NameOf(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "fp32",
        ScalarType.BFloat16 => "bf16",
        ScalarType.Float16 => "fp16",
        _ => dtype.ToString(),
    };
}
