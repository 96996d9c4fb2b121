using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Merging;
using TorchSharp;

namespace DiffusionTune.Diffusion.Merging;

/// <summary>
/// Weight interpolation between a base Stable Diffusion model and a fine-tune of it (DreamBooth, a full fine-tune):
/// every tensor of the UNet, text encoder and VAE becomes <c>base + α·(tuned − base)</c>, α per block
/// (<see cref="BlockWeights"/>), α = 0 the base and α = 1 the tuned model bit for bit (<see cref="WeightInterpolation"/>).
/// </summary>
public static class CheckpointInterpolation
{
    /// <summary>Refuses two models whose components differ in tensor names or shapes, naming both files and the first differing tensor.</summary>
    /// <exception cref="ModelFileException">The models are not the same architecture.</exception>
    public static void EnsureCompatible(StableDiffusionModel @base, StableDiffusionModel tuned)
    {
        foreach (var (component, baseModule, tunedModule) in Components(@base, tuned))
        {
            if (WeightInterpolation.FindMismatch(baseModule, tunedModule) is { } mismatch)
            {
                var named = mismatch with { Name = $"{component.FolderName()}/{mismatch.Name}" };
                throw new ModelFileException(tuned.SourcePath,
                    $"does not fit the base model {@base.SourcePath}: {named.Describe("the base", "this model")}; both must be the same architecture (a fine-tune of that base)");
            }
        }
    }

    /// <summary>
    /// Writes the interpolation into <paramref name="destination"/>'s weights (it may be <paramref name="tuned"/>
    /// itself, or a third copy that a search over α reuses); returns how each component's tensors were made.
    /// </summary>
    /// <exception cref="ModelFileException">The models are not the same architecture.</exception>
    public static IReadOnlyDictionary<ModelComponent, InterpolationCounts> Interpolate(
        StableDiffusionModel @base, StableDiffusionModel tuned, BlockWeights weights, StableDiffusionModel destination)
    {
        EnsureCompatible(@base, tuned);
        EnsureCompatible(@base, destination);
        var destinations = Components(destination, destination).ToDictionary(c => c.Component, c => c.Base);
        return Components(@base, tuned).ToDictionary(
            c => c.Component,
            c => WeightInterpolation.Interpolate(c.Component, c.Base, c.Tuned, destinations[c.Component], weights));
    }

    static IEnumerable<(ModelComponent Component, torch.nn.Module Base, torch.nn.Module Tuned)> Components(StableDiffusionModel @base, StableDiffusionModel tuned) =>
    [
        (ModelComponent.UNet, @base.Unet, tuned.Unet),
        (ModelComponent.TextEncoder, @base.TextEncoder, tuned.TextEncoder),
        (ModelComponent.Vae, @base.Vae, tuned.Vae),
    ];
}
