using System.Runtime.Intrinsics;
using TorchSharp;
using static DiffusionTune.Training.Optimization.CpuElements;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Optimization;

/// <summary>
/// The sum of squares of a CPU gradient, read once in its own dtype and summed in fp64: clipping needs the global norm
/// before any update, and widening each bf16 gradient to an fp32 copy first would triple that pass's memory traffic.
/// </summary>
static unsafe class CpuGradientNorm
{
    public static bool Supports(Tensor gradient) => gradient.device_type == DeviceType.CPU;

    public static double SumOfSquares(Tensor gradient)
    {
        if (!gradient.is_contiguous()) gradient = gradient.contiguous();
        void* data = TensorMemory.Address(gradient);
        long count = gradient.numel();
        return gradient.dtype switch
        {
            ScalarType.Float32 => Sum<Fp32>(data, count),
            ScalarType.BFloat16 => Sum<Bf16>(data, count),
            ScalarType.Float16 => Sum<Fp16>(data, count),
            _ => throw new NotSupportedException($"gradients of {gradient.dtype}"),
        };
    }

    static double Sum<T>(void* data, long count) where T : struct, IElement
    {
        var address = (nint)data;
        return CpuBlocks.Sum(count, (start, end) => BlockSum<T>((void*)address, start, end));
    }

    static double BlockSum<T>(void* data, long start, long end) where T : struct, IElement
    {
        long i = start;
        var sums = Vector256<double>.Zero;
        if (T.Vectorized)
        {
            for (; i + Vector256<float>.Count <= end; i += Vector256<float>.Count)
            {
                var (low, high) = Vector256.Widen(T.LoadVector(data, i));
                sums += low * low + high * high;
            }
        }
        double sum = Vector256.Sum(sums);
        for (; i < end; i++)
        {
            double value = T.Load(data, i);
            sum += value * value;
        }
        return sum;
    }
}
