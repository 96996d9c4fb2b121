using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Runtime;

/// <summary>
/// Moves tensors made on the host (batches of latents or pixels, noise drawn from a CPU generator) to the compute
/// device. Towards a CUDA device the tensor goes through pinned (page-locked) memory and is copied without blocking:
/// a copy from ordinary pageable memory first waits for the GPU's queue to drain, a pinned one lets the host go on
/// queueing work (libtorch keeps the pinned buffer alive until its copy has run). Anywhere else it is a plain move.
/// </summary>
public static class HostToDevice
{
    /// <summary>
    /// <paramref name="tensor"/> on <paramref name="device"/>, in <paramref name="dtype"/> when given (cast on the
    /// device, after the copy): a new tensor, which shares the input's storage when nothing had to change.
    /// </summary>
    public static Tensor Move(Tensor tensor, Device device, ScalarType? dtype = null)
    {
        var moved = UsesPinnedCopy(tensor, device)
            ? (tensor.is_pinned() ? tensor : tensor.pin_memory()).to(device, non_blocking: true)
            : tensor.to(device);
        return dtype is { } type ? moved.to(type) : moved;
    }

    /// <summary>Whether <see cref="Move"/> copies <paramref name="tensor"/> through pinned memory: host to CUDA only.</summary>
    public static bool UsesPinnedCopy(Tensor tensor, Device device) =>
        tensor.device_type == DeviceType.CPU && device.type == DeviceType.CUDA;
}
