using DiffusionTune.Diffusion.Pipelines;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Damage;

/// <summary>
/// The inputs every drift figure is measured on: for each seed, standard normal latents and noise from a CPU generator
/// (the same on every device), noised to each timestep with the reference model's schedule, and run in batches of
/// prompts. Everything that compares predictions (<see cref="PredictionDriftMeter"/>, <see cref="NoisePredictions"/>)
/// walks the same batches in the same order, so their figures are about the same inputs.
/// </summary>
public static class DriftInputs
{
    /// <summary>One batch: prompts <see cref="First"/> … <see cref="First"/> + <see cref="Count"/> − 1 at one seed and timestep.</summary>
    /// <param name="Noisy">The noised latents [Count, C, H, W], float32 on the reference model's device.</param>
    /// <param name="Timesteps">The timestep of every row [Count] (int64, same device).</param>
    public readonly record struct Batch(int SeedIndex, int TimestepIndex, int First, int Count, Tensor Noisy, Tensor Timesteps);

    /// <summary>How many batches <see cref="Batches"/> yields for <paramref name="promptCount"/> prompts.</summary>
    public static int BatchCount(int promptCount, DriftSettings settings) =>
        settings.Seeds * settings.Timesteps.Count * ((promptCount + settings.BatchSize - 1) / settings.BatchSize);

    /// <summary>
    /// The batches, seeds outermost and prompts innermost. Each batch's tensors live until the enumeration moves on,
    /// so a consumer keeps what it needs from them before asking for the next.
    /// </summary>
    /// <exception cref="ArgumentException">The settings are out of range for the model's schedule.</exception>
    public static IEnumerable<Batch> Batches(StableDiffusionModel reference, int promptCount, DriftSettings settings, CancellationToken cancellation = default)
    {
        settings.Validate(reference.Schedule.NumTrainTimesteps);
        return Enumerate(reference, promptCount, settings, cancellation);
    }

    static IEnumerable<Batch> Enumerate(StableDiffusionModel reference, int promptCount, DriftSettings settings, CancellationToken cancellation)
    {
        for (int s = 0; s < settings.Seeds; s++)
        {
            using var seedScope = NewDisposeScope();
            var (latents, noise) = Draw(reference, settings.FirstSeed + s);
            for (int t = 0; t < settings.Timesteps.Count; t++)
            {
                for (int first = 0; first < promptCount; first += settings.BatchSize)
                {
                    cancellation.ThrowIfCancellationRequested();
                    using var batchScope = NewDisposeScope();
                    int count = Math.Min(settings.BatchSize, promptCount - first);
                    var timesteps = full([count], settings.Timesteps[t], ScalarType.Int64, reference.Device);
                    var noisy = reference.Schedule.AddNoise(latents.expand(count, -1, -1, -1), noise.expand(count, -1, -1, -1), timesteps);
                    yield return new Batch(s, t, first, count, noisy, timesteps);
                }
            }
        }
    }

    /// <summary>The UNet conditioning of <paramref name="prompts"/>, each encoded by <paramref name="model"/>'s own tokenizer and text encoder, in its dtype.</summary>
    public static Tensor Encode(StableDiffusionModel model, IReadOnlyList<string> prompts, int clipSkip) =>
        new PromptEncoder(model.Tokenizer, model.TextEncoder, clipSkip, gates: model.Gates).Encode(prompts).to(model.Dtype);

    /// <summary>
    /// <paramref name="model"/>'s noise prediction for one batch of <paramref name="prompts"/> (the whole list, as
    /// encoded into <paramref name="context"/>), run on its own device and dtype, its prompt-gated adapters opened for the batch's prompts.
    /// </summary>
    public static Tensor Predict(StableDiffusionModel model, Batch batch, Tensor context, IReadOnlyList<string> prompts)
    {
        using var gates = model.Gates.Open([.. prompts.Skip(batch.First).Take(batch.Count)]);
        return model.Unet.call(batch.Noisy.to(model.Dtype, model.Device), batch.Timesteps.to(model.Device), context.narrow(0, batch.First, batch.Count));
    }

    /// <summary>One seed's clean latents and noise [1, C, H, W], float32 on the model's device.</summary>
    static (Tensor Latents, Tensor Noise) Draw(StableDiffusionModel model, long seed)
    {
        var config = model.Unet.Config;
        long[] shape = [1, config.InChannels, config.SampleSize, config.SampleSize];
        using var generator = new Generator(0, CPU);
        generator.manual_seed(seed);
        var latents = randn(shape, ScalarType.Float32, CPU, generator: generator).to(model.Device);
        var noise = randn(shape, ScalarType.Float32, CPU, generator: generator).to(model.Device);
        return (latents, noise);
    }
}
