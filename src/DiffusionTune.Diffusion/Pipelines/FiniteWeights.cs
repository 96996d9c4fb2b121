using DiffusionTune.IO;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Pipelines;

/// <summary>
/// The last check before a model made by arithmetic (a merge) is written: every weight finite. Files are checked as
/// they are read (<see cref="NonFiniteValues"/>), but sums of finite weights can still overflow, and a model file with
/// NaN or ±∞ in it only ever gives black images.
/// </summary>
public static class FiniteWeights
{
    /// <param name="refusal">What was not done, for the message ("merge-lora wrote nothing to PATH").</param>
    /// <exception cref="InvalidDataException">Naming the component, the tensor and how many of its values are NaN or ±∞.</exception>
    public static void Require(StableDiffusionModel model, string refusal)
    {
        foreach (var (component, module) in new (string, nn.Module)[] { ("unet", model.Unet), ("vae", model.Vae), ("text_encoder", model.TextEncoder) })
        {
            foreach (var (name, tensor) in module.state_dict())
            {
                if (NonFiniteValues.Count(tensor) is > 0 and var count)
                    throw new InvalidDataException($"{refusal}: {component} tensor '{name}' has {count} non-finite value{(count == 1 ? "" : "s")} (NaN/Inf)");
            }
        }
    }
}
