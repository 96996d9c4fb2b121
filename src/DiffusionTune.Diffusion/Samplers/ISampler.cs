using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Samplers;

/// <summary>
/// One generation's walk from noise to a clean latent. The pipeline starts from
/// <c>noise · <see cref="InitNoiseSigma"/></c> (or, for img2img, <see cref="AddNoise"/> at its first step), then for
/// each step i: runs the model on <see cref="ScaleModelInput"/>(x, i) conditioned on <see cref="Timesteps"/>[i], and
/// sets x = <see cref="Step"/>(output, i, x). Samplers may keep state between steps (multistep solvers remember
/// earlier predictions), so create a fresh one per generation and call <see cref="Step"/> with consecutive indices.
/// Every returned tensor is new and owned by the caller; inputs are never modified.
/// </summary>
public interface ISampler : IDisposable
{
    /// <summary>The timestep value the model is conditioned on at each step (possibly fractional), from high noise to low.</summary>
    IReadOnlyList<float> Timesteps { get; }

    /// <summary>The standard deviation of the starting latent: multiply unit normal noise by this.</summary>
    float InitNoiseSigma { get; }

    /// <summary>The model's input for the current sample at <paramref name="stepIndex"/>, in the sample's dtype.</summary>
    Tensor ScaleModelInput(Tensor sample, int stepIndex);

    /// <summary>
    /// Advances <paramref name="sample"/> from step <paramref name="stepIndex"/> to the next noise level (after the last
    /// step: to the clean latent), given the model's output for it. The update is computed in float32 whatever the
    /// dtypes of the inputs; the result has the dtype and device of <paramref name="sample"/>.
    /// </summary>
    Tensor Step(Tensor modelOutput, int stepIndex, Tensor sample);

    /// <summary>
    /// A clean sample noised to the level this sampler expects as its input at <paramref name="stepIndex"/> (img2img
    /// starts there), in <paramref name="original"/>'s dtype.
    /// </summary>
    Tensor AddNoise(Tensor original, Tensor noise, int stepIndex);
}
