using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Optimization;

/// <summary>
/// The address of a CPU tensor's first element, for kernels written in C#. TorchSharp exposes data pointers only through
/// typed storages, which refuse bf16, so this asks LibTorchSharp directly (the same call TorchSharp makes internally).
/// </summary>
static class TensorMemory
{
    public static unsafe void* Address(Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CPU) throw new ArgumentException("only CPU tensors can be addressed", nameof(tensor));
        if (!tensor.is_contiguous()) throw new ArgumentException("the tensor must be contiguous", nameof(tensor));
        return (void*)THSTensor_data(tensor.Handle);
    }

    [DllImport("LibTorchSharp")]
    static extern IntPtr THSTensor_data(IntPtr handle);
}
