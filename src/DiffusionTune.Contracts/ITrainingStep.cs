using static TorchSharp.torch;

namespace DiffusionTune.Contracts;

/// <summary>The engine's help for one optimisation step: its randomness, noising and the standard denoising loss.</summary>
public interface ITrainingStep
{
    /// <summary>0-based optimizer step.</summary>
    int Step { get; }

    /// <summary>A CPU generator for this step only (the same after a resume), for any extra randomness a trainer needs.</summary>
    Generator Random { get; }

    /// <summary>
    /// Noises <paramref name="latents"/> at random timesteps, with the run's noise settings (noise offset), and gives the
    /// target the model must predict (ε or v, as the base model was trained).
    /// </summary>
    NoisedLatents AddNoise(Tensor latents);

    /// <summary>
    /// The standard denoising loss: per-item MSE between <paramref name="prediction"/> and the target, weighted by the
    /// run's min-SNR-γ setting and by <paramref name="itemWeights"/> (e.g. <see cref="TrainingBatch.LossWeights"/>), averaged.
    /// </summary>
    Tensor DenoisingLoss(Tensor prediction, NoisedLatents noised, IReadOnlyList<float>? itemWeights = null);
}

/// <summary>Latents with noise added, the timesteps used, and the target the model should predict.</summary>
public sealed record NoisedLatents(Tensor Noisy, Tensor Timesteps, Tensor Noise, Tensor Target);
