using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Models.Unet;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Damage;

/// <summary>
/// Measures how a fine-tune changed what its base model does, with no image model: both UNets predict the noise in the
/// same noised latents under the same prompts, each prompt encoded by its own model's text encoder and tokenizer (so
/// textual-inversion words and text-encoder LoRAs count), and the predictions — and every UNet block's output — are
/// compared (<see cref="PredictionDrift"/>). Latents and noise are standard normal draws at the models' latent size from
/// a CPU generator seeded per seed (the same on every device), noised to each timestep with the base model's schedule.
/// A model against itself drifts exactly 0. Two UNets in memory are all it needs; the models are not changed.
/// </summary>
public static class PredictionDriftMeter
{
    /// <summary>Progress after each batch of prompts: UNet pairs done and the total.</summary>
    public delegate void ProgressCallback(int done, int total);

    /// <summary>Compares <paramref name="tuned"/> with <paramref name="baseModel"/> on <paramref name="prompts"/>.</summary>
    /// <exception cref="ArgumentException">No prompts, bad settings, or models that cannot be compared (latent shape, prediction type).</exception>
    /// <exception cref="InvalidDataException">A model predicts NaN or ±∞, or a figure is otherwise not a finite number.</exception>
    public static PredictionDrift Measure(StableDiffusionModel baseModel, StableDiffusionModel tuned, IReadOnlyList<string> prompts,
        DriftSettings settings, ProgressCallback? progress = null, CancellationToken cancellation = default)
    {
        if (prompts.Count == 0) throw new ArgumentException("no prompts to measure drift on", nameof(prompts));
        var batches = DriftInputs.Batches(baseModel, prompts.Count, settings, cancellation);
        CheckComparable(baseModel, tuned);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var baseContext = DriftInputs.Encode(baseModel, prompts, settings.ClipSkip);
        var tunedContext = DriftInputs.Encode(tuned, prompts, settings.ClipSkip);
        using var baseBlocks = UNetBlockOutputs.Attach(baseModel.Unet);
        using var tunedBlocks = UNetBlockOutputs.Attach(tuned.Unet);
        if (!baseBlocks.BlockNames.SequenceEqual(tunedBlocks.BlockNames))
            throw new ArgumentException($"the UNets have different blocks ({string.Join(", ", baseBlocks.BlockNames)} vs {string.Join(", ", tunedBlocks.BlockNames)})");

        var total = new DriftSum();
        var perTimestep = settings.Timesteps.Select(_ => new DriftSum()).ToArray();
        var perPrompt = prompts.Select(_ => new DriftSum()).ToArray();
        var perBlock = baseBlocks.BlockNames.Select(_ => new DriftSum()).ToArray();
        int pairs = DriftInputs.BatchCount(prompts.Count, settings), done = 0;
        foreach (var batch in batches)
        {
            var basePrediction = DriftInputs.Predict(baseModel, batch, baseContext, prompts);
            var tunedPrediction = DriftInputs.Predict(tuned, batch, tunedContext, prompts);
            var (squaredDifference, baseSquare) = PerSampleSums(basePrediction, tunedPrediction.to(basePrediction.device));
            long elements = basePrediction[0].numel();
            for (int i = 0; i < batch.Count; i++)
            {
                RequireFinite(baseSquare[i], baseModel, "base model", prompts[batch.First + i], settings.Timesteps[batch.TimestepIndex]);
                RequireFinite(squaredDifference[i], tuned, "tuned model (with its adapters)", prompts[batch.First + i], settings.Timesteps[batch.TimestepIndex]);
                total.Add(squaredDifference[i], baseSquare[i], elements);
                perTimestep[batch.TimestepIndex].Add(squaredDifference[i], baseSquare[i], elements);
                perPrompt[batch.First + i].Add(squaredDifference[i], baseSquare[i], elements);
            }
            for (int b = 0; b < perBlock.Length; b++)
            {
                var name = baseBlocks.BlockNames[b];
                perBlock[b].Add(baseBlocks[name], tunedBlocks[name].to(baseModel.Device));
            }
            baseBlocks.Clear();
            tunedBlocks.Clear();
            progress?.Invoke(++done, pairs);
        }
        var drift = new PredictionDrift(
            prompts,
            total.ToFigure(),
            [.. settings.Timesteps.Select((timestep, t) => new TimestepDrift(timestep, perTimestep[t].ToFigure()))],
            [.. prompts.Select((prompt, p) => new PromptDrift(prompt, perPrompt[p].ToFigure()))],
            [.. baseBlocks.BlockNames.Select((block, b) => new BlockDrift(block, perBlock[b].ToFigure()))]);
        RequireFinite(drift);
        return drift;
    }

    /// <summary>A sum over one prediction is NaN or ∞ exactly when the prediction holds NaN or ±∞ (float64 sums of float32 squares cannot overflow).</summary>
    static void RequireFinite(double sum, StableDiffusionModel model, string role, string prompt, int timestep)
    {
        if (!double.IsFinite(sum))
            throw new InvalidDataException(
                $"{model.SourcePath}: the {role} predicts NaN/Inf noise for the prompt '{prompt}' at timestep {timestep}, so its drift cannot be measured");
    }

    /// <summary>
    /// Every figure must be a number: with finite predictions only a relative drift over an all-zero base output can
    /// still be infinite, and a report must never say "NaN%".
    /// </summary>
    static void RequireFinite(PredictionDrift drift)
    {
        var figures = new List<(string What, DriftFigure Figure)> { ("of the noise predictions", drift.Total) };
        figures.AddRange(drift.Timesteps.Select(t => ($"at timestep {t.Timestep}", t.Drift)));
        figures.AddRange(drift.PerPrompt.Select(p => ($"for the prompt '{p.Prompt}'", p.Drift)));
        figures.AddRange(drift.Blocks.Select(b => ($"of the {b.Block} output", b.Drift)));
        foreach (var (what, figure) in figures)
        {
            if (!double.IsFinite(figure.MeanSquaredError) || !double.IsFinite(figure.Relative))
                throw new InvalidDataException(FormattableString.Invariant(
                    $"the drift {what} is not a finite number (mean squared difference {figure.MeanSquaredError}, base mean square {figure.BaseMeanSquare}): the base model's output there is all zeros or not finite"));
        }
    }

    static void CheckComparable(StableDiffusionModel baseModel, StableDiffusionModel tuned)
    {
        var (a, b) = (baseModel.Unet.Config, tuned.Unet.Config);
        if (a.InChannels != b.InChannels || a.SampleSize != b.SampleSize)
            throw new ArgumentException($"the models take different latents ({a.InChannels} channels at {a.SampleSize}² vs {b.InChannels} at {b.SampleSize}²): is the tuned model a fine-tune of this base?");
        if (baseModel.Schedule.PredictionType != tuned.Schedule.PredictionType)
            throw new ArgumentException($"the base model predicts {baseModel.Schedule.PredictionType} but the tuned one {tuned.Schedule.PredictionType}; their predictions cannot be compared");
    }

    /// <summary>Σ(tuned − base)² and Σbase² of each batch item, in float64.</summary>
    static (double[] SquaredDifference, double[] BaseSquare) PerSampleSums(Tensor basePrediction, Tensor tunedPrediction)
    {
        using var scope = NewDisposeScope();
        var reference = basePrediction.to(ScalarType.Float64).flatten(1);
        var difference = tunedPrediction.to(ScalarType.Float64).flatten(1) - reference;
        return (difference.square().sum(1).cpu().data<double>().ToArray(), reference.square().sum(1).cpu().data<double>().ToArray());
    }
}
