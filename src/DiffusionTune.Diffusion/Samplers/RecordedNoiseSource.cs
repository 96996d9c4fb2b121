using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>
/// Hands out given tensors, in order, as the "random" draws: replays noise recorded elsewhere (a reference run, a
/// test fixture). Each draw is a copy, so the caller keeps ownership of the tensors it passed in.
/// </summary>
public sealed class RecordedNoiseSource : INoiseSource
{
    readonly IReadOnlyList<Tensor> _draws;
    int _next;

    /// <summary>Replays <paramref name="draws"/>; they must stay alive while this source is used.</summary>
    public RecordedNoiseSource(IReadOnlyList<Tensor> draws) => _draws = draws;

    /// <summary>How many recorded draws have been handed out.</summary>
    public int Used => _next;

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The recording is used up, or the next draw has another shape.</exception>
    public Tensor Draw(long[] shape, Device device, ScalarType dtype)
    {
        if (_next == _draws.Count)
            throw new InvalidOperationException($"all {_draws.Count} recorded noise tensors have been used");
        var draw = _draws[_next];
        if (!draw.shape.SequenceEqual(shape))
            throw new InvalidOperationException(
                $"recorded noise tensor {_next} has shape [{string.Join(", ", draw.shape)}], but [{string.Join(", ", shape)}] was asked for");
        _next++;
        return draw.to(dtype, device, copy: true);
    }
}
