using static TorchSharp.torch;

namespace DiffusionTune.Contracts;

/// <summary>
/// The objective every trainer starts from, so plugins do not each restate it: noise the batch, let the model's
/// UNet predict on the noisy latents under the batch's prompts, and score that prediction.
/// </summary>
public static class DenoisingObjective
{
    /// <summary>
    /// The weighted denoising loss of <paramref name="batch"/> at this step, computed in the run's compute dtype.
    /// <paramref name="noised"/> is the noised sample it used, for trainers that add terms on the same noise
    /// (for example a prior-preservation target from the base model).
    /// </summary>
    public static Tensor Loss(ITrainingContext context, TrainingBatch batch, ITrainingStep step, out NoisedLatents noised)
    {
        var model = context.Model;
        noised = step.AddNoise(batch.Latents);
        var prediction = model.Unet.call(noised.Noisy.to(context.ComputeDtype), noised.Timesteps, model.EncodePrompts(batch.Prompts));
        return step.DenoisingLoss(prediction, noised, batch.LossWeights);
    }
}
