using DiffusionTune.Diffusion.Pipelines;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Damage;

/// <summary>
/// A model's noise predictions on the inputs of <see cref="DriftInputs"/>, kept as one float32 CPU tensor, so that
/// many models can be compared with the same reference without running the reference again (what a calibration
/// search does). Predictions of different models on the same prompts and settings line up row for row.
/// </summary>
public static class NoisePredictions
{
    /// <summary>
    /// Every batch's prediction, concatenated in <see cref="DriftInputs.Batches"/>' order: [seeds × timesteps × prompts, C, H, W].
    /// The inputs are drawn and noised with <paramref name="reference"/>'s schedule, whichever model predicts.
    /// </summary>
    public static Tensor Of(StableDiffusionModel model, StableDiffusionModel reference, IReadOnlyList<string> prompts, DriftSettings settings,
        CancellationToken cancellation = default)
    {
        if (prompts.Count == 0) throw new ArgumentException("no prompts to predict on", nameof(prompts));
        var batches = DriftInputs.Batches(reference, prompts.Count, settings, cancellation);
        var predictions = new List<Tensor>();
        try
        {
            using (no_grad())
            {
                using var context = DriftInputs.Encode(model, prompts, settings.ClipSkip);
                foreach (var batch in batches)
                    predictions.Add(DriftInputs.Predict(model, batch, context, prompts).to(ScalarType.Float32, CPU).DetachFromDisposeScope());
            }
            return cat(predictions, 0);
        }
        finally
        {
            foreach (var prediction in predictions) prediction.Dispose();
        }
    }
}
