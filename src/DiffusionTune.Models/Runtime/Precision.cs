using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Runtime;

/// <summary>The <c>--precision</c> choice: the dtype models compute in.</summary>
public static class Precision
{
    public static ScalarType Resolve(string spec, Device device)
    {
        switch (spec.Trim().ToLowerInvariant())
        {
            case "fp32" or "float32": return ScalarType.Float32;
            case "bf16" or "bfloat16": return ScalarType.BFloat16;
            case "fp16" or "float16":
                if (device.type != DeviceType.CUDA)
                    throw new ArgumentException("fp16 is for CUDA devices; on the CPU use bf16 (faster there, and it needs no loss scaling)");
                return ScalarType.Float16;
            default:
                throw new ArgumentException($"'{spec}' is not a precision: use fp32, bf16 or fp16 (CUDA only)");
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
