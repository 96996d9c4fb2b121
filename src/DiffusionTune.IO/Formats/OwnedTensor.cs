using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>Helpers for tensors an adapter has taken ownership of.</summary>
internal static class OwnedTensor
{
    /// <summary><paramref name="tensor"/> itself when it already has <paramref name="shape"/>, else a reshaped view (the original handle is released) that no dispose scope will free.</summary>
    public static Tensor Reshaped(Tensor tensor, long[] shape)
    {
        if (tensor.shape.SequenceEqual(shape)) return tensor;
        var reshaped = tensor.reshape(shape).DetachFromDisposeScope();
        tensor.Dispose();
        return reshaped;
    }
}
