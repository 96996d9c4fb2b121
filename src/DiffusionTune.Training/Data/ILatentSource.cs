using static TorchSharp.torch;

namespace DiffusionTune.Training.Data;

/// <summary>Turns planned image variants into UNet-space latents: from a <see cref="LatentCache"/>, or encoded as needed by a <see cref="VaeLatentEncoder"/>.</summary>
public interface ILatentSource
{
    /// <summary>
    /// Latents [B, C, h, w] (float32, CPU, multiplied by the VAE scaling factor) of <paramref name="variants"/>, which
    /// share one size: each a fresh sample of its latent distribution with noise from <paramref name="random"/>.
    /// </summary>
    Tensor Sample(IReadOnlyList<ImageVariant> variants, Generator random);
}
