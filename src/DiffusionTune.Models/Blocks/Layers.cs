using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Blocks;

/// <summary>
/// Creates the leaf layers of every model, on the device chosen by <see cref="On"/> for this thread (the CPU by default),
/// with PyTorch's initial values. Models never call <c>nn.Linear</c> and friends directly: a per-thread construction
/// device lets <see cref="Loading.MetaDevice"/> build full-size models on <c>meta</c> without touching torch's
/// process-wide default device, which other threads may be using.
/// </summary>
public static class Layers
{
    [ThreadStatic] static Device? s_device;

    /// <summary>Makes layers created on this thread live on <paramref name="device"/> until the returned scope is disposed.</summary>
    public static IDisposable On(Device device)
    {
        var previous = s_device;
        s_device = device;
        return new Restore(() => s_device = previous);
    }

    public static Linear Linear(long inFeatures, long outFeatures, bool bias = true) =>
        nn.Linear(inFeatures, outFeatures, bias, s_device);

    public static SafeConv2d Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0) =>
        new(inChannels, outChannels, kernelSize, stride, padding, s_device);

    public static LayerNorm LayerNorm(long dim, double eps) => nn.LayerNorm(dim, eps, device: s_device);

    /// <summary>
    /// An embedding table with PyTorch's N(0, 1) initial values. TorchSharp's <c>nn.Embedding</c> fills its table on the
    /// CPU before moving it, even when made from a pretrained tensor, which on <c>meta</c> would allocate the whole table
    /// for nothing (and fail outright for an absurd config before it could be refused); there a one-entry module takes a
    /// storage-less weight of the full shape instead.
    /// </summary>
    public static Embedding Embedding(long count, long dim)
    {
        if (s_device?.type != DeviceType.META) return nn.Embedding(count, dim, device: s_device);
        var embedding = nn.Embedding(1, 1, device: s_device);
        embedding.weight = new Parameter(empty([count, dim], device: s_device));
        return embedding;
    }

    /// <summary>
    /// A GroupNorm with weight 1 and bias 0. TorchSharp 0.107's <c>nn.GroupNorm</c> leaves its affine parameters
    /// uninitialised (arbitrary memory, sometimes NaN), which only shows when a model is trained from scratch.
    /// </summary>
    public static GroupNorm GroupNorm(int groups, long channels, double eps)
    {
        var norm = nn.GroupNorm(groups, channels, eps, device: s_device);
        using (no_grad())
        {
            norm.weight!.fill_(1.0);
            norm.bias!.zero_();
        }
        return norm;
    }

    sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
