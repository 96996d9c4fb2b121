using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>Where a generation's random numbers come from: the starting latent and the noise stochastic samplers add.</summary>
public interface INoiseSource
{
    /// <summary>Standard normal noise of <paramref name="shape"/>, as a new tensor of <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    Tensor Draw(long[] shape, Device device, ScalarType dtype);
}
