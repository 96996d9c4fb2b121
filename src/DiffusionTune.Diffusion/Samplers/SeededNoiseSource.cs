using DiffusionTune.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>
/// Noise from a seeded torch generator on the CPU: every draw is made there in float32 and then moved and cast,
/// so a seed gives the same image whatever device or dtype runs the model, and the same numbers as PyTorch's
/// <c>torch.randn(shape, generator=torch.Generator().manual_seed(seed))</c> (what diffusers draws with a CPU generator).
/// </summary>
public sealed class SeededNoiseSource : INoiseSource, IDisposable
{
    readonly torch.Generator _generator;

    /// <summary>Starts the stream of <paramref name="seed"/>.</summary>
    public SeededNoiseSource(long seed)
    {
        Seed = seed;
        _generator = new torch.Generator(0, CPU).manual_seed(seed);
    }

    /// <summary>The seed the stream started from.</summary>
    public long Seed { get; }

    /// <inheritdoc/>
    public Tensor Draw(long[] shape, Device device, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var cpu = randn(shape, ScalarType.Float32, CPU, generator: _generator);
        return scope.MoveToOuter(HostToDevice.Move(cpu, device, dtype));
    }

    /// <summary>Releases the generator.</summary>
    public void Dispose() => _generator.Dispose();
}
