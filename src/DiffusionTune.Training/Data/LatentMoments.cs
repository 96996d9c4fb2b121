using static TorchSharp.torch;

namespace DiffusionTune.Training.Data;

/// <summary>
/// The VAE's latent distribution of one image or a batch, already in UNet space (shifted and multiplied by the VAE
/// scaling factor): float32 CPU tensors <see cref="Mean"/> and <see cref="Std"/>. Keeping both, not one sample,
/// lets every step draw a fresh latent as the un-cached pipeline would. Owns its tensors.
/// </summary>
public sealed class LatentMoments : IDisposable
{
    /// <summary>Takes ownership of <paramref name="mean"/> and <paramref name="std"/> (same shape), detaching them from any dispose scope.</summary>
    public LatentMoments(Tensor mean, Tensor std)
    {
        if (!mean.shape.SequenceEqual(std.shape))
            throw new ArgumentException($"mean [{string.Join(", ", mean.shape)}] and std [{string.Join(", ", std.shape)}] differ in shape");
        Mean = mean.DetachFromDisposeScope();
        Std = std.DetachFromDisposeScope();
    }

    /// <summary>The distribution's mean, scaled.</summary>
    public Tensor Mean { get; }

    /// <summary>The distribution's standard deviation, scaled.</summary>
    public Tensor Std { get; }

    /// <summary>Stacks per-image moments [C, h, w] into batch moments [B, C, h, w] (copies; the inputs stay owned by the caller).</summary>
    public static LatentMoments Stack(IReadOnlyList<LatentMoments> items)
    {
        if (items.Count == 0) throw new ArgumentException("no latents to stack", nameof(items));
        using var scope = NewDisposeScope();
        return new LatentMoments(stack(items.Select(m => m.Mean).ToArray()), stack(items.Select(m => m.Std).ToArray()));
    }

    /// <summary>
    /// A sample mean + std·ε, with ε drawn in one call, <c>randn(shape)</c>, from <paramref name="random"/> (a CPU
    /// generator). The result is a new float32 CPU tensor the caller owns.
    /// </summary>
    public Tensor Sample(Generator random)
    {
        using var scope = NewDisposeScope();
        var noise = randn(Mean.shape, ScalarType.Float32, CPU, generator: random);
        return scope.MoveToOuter(Mean + Std * noise);
    }

    /// <summary>Frees both tensors.</summary>
    public void Dispose()
    {
        Mean.Dispose();
        Std.Dispose();
    }
}
