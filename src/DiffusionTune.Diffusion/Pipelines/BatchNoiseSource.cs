using DiffusionTune.Diffusion.Samplers;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Pipelines;

/// <summary>
/// Noise for a batch in which image i has its own seed: each draw is split along the batch dimension and every slice
/// comes from that image's own seeded stream. An image therefore looks the same whatever batch it was made in.
/// </summary>
public sealed class BatchNoiseSource : INoiseSource, IDisposable
{
    readonly SeededNoiseSource[] _streams;

    public BatchNoiseSource(IReadOnlyList<long> seeds)
    {
        if (seeds.Count == 0) throw new ArgumentException("a batch needs at least one seed", nameof(seeds));
        _streams = seeds.Select(seed => new SeededNoiseSource(seed)).ToArray();
    }

    public Tensor Draw(long[] shape, Device device, ScalarType dtype)
    {
        if (shape.Length == 0 || shape[0] != _streams.Length)
            throw new ArgumentException($"noise of shape [{string.Join(", ", shape)}] was asked for, but this batch has {_streams.Length} seeds");
        using var scope = NewDisposeScope();
        long[] itemShape = [1, .. shape[1..]];
        var items = _streams.Select(stream => stream.Draw(itemShape, device, dtype)).ToArray();
        return scope.MoveToOuter(cat(items, 0));
    }

    public void Dispose()
    {
        foreach (var stream in _streams) stream.Dispose();
    }
}
