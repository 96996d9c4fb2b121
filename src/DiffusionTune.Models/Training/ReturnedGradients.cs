using static TorchSharp.torch;

namespace DiffusionTune.Models.Training;

/// <summary>
/// Owns the gradients a <see cref="CheckpointFunction"/> backward hands to the autograd engine. TorchSharp reads the
/// native tensors only after backward has returned, so they cannot be disposed there; the engine holds its own
/// references by the time the next checkpoint backward on the same thread starts, which disposes them. At most one
/// backward's worth stays alive per thread between steps, instead of every block's until a dispose scope or the
/// finalizer reaches them.
/// </summary>
internal static class ReturnedGradients
{
    // Per thread: CPU backward runs on the caller's thread, CUDA backward on the engine's worker thread for the device.
    [ThreadStatic] static List<Tensor>? _kept;

    public static void ReleasePrevious()
    {
        if (_kept is null) return;
        foreach (var gradient in _kept) gradient.Dispose();
        _kept.Clear();
    }

    public static void Keep(IEnumerable<Tensor> gradients) => (_kept ??= []).AddRange(gradients);
}
