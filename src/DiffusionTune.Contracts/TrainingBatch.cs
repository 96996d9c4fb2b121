using static TorchSharp.torch;

namespace DiffusionTune.Contracts;

/// <summary>
/// One batch from the engine: VAE latents of the images (already multiplied by the VAE scaling factor), their prompts,
/// and for prior preservation which items are class examples and how much each item's loss counts.
/// </summary>
/// <param name="Latents">[B, C, H, W] float32 latents on the run's device.</param>
/// <param name="Prompts">One prompt per item (captions may have been dropped to "" for classifier-free guidance).</param>
/// <param name="IsClassExample">True for prior-preservation items (class images), false for the concept's own images.</param>
/// <param name="LossWeights">Per-item weight of the loss: 1 for instance items, the prior-loss weight for class items.</param>
public sealed record TrainingBatch(Tensor Latents, IReadOnlyList<string> Prompts, IReadOnlyList<bool> IsClassExample, IReadOnlyList<float> LossWeights)
{
    /// <summary>Number of items.</summary>
    public int Count => Prompts.Count;
}
