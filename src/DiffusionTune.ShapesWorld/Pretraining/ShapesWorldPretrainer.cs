using DiffusionTune.Training.Loop;

namespace DiffusionTune.ShapesWorld.Pretraining;

/// <summary>
/// Pretrains the shapes-world model from nothing: the VAE (stage 1), then the UNet and text encoder (stage 2), then
/// exports a diffusers folder. Every stage resumes from its newest checkpoint under the run folder, so the job can be
/// stopped (Ctrl+C saves) and continued across several sittings; finished stages are not repeated.
/// </summary>
public sealed class ShapesWorldPretrainer(PretrainSettings settings)
{
    public string VaeRunFolder => Path.Combine(settings.RunFolder, "vae");

    public string VaeFolder => Path.Combine(settings.RunFolder, "vae-final");

    public string TokenizerFolder => Path.Combine(settings.RunFolder, "tokenizer");

    public string DenoiserRunFolder => Path.Combine(settings.RunFolder, "denoiser");

    /// <summary>Runs whatever is left to do; returns false when cancelled before the end.</summary>
    public bool Run(string outputFolder, Action<string>? status, TrainingLoop.ProgressCallback? progress, CancellationToken cancellation)
    {
        settings.Validate();
        if (!File.Exists(Path.Combine(VaeFolder, "config.json")))
        {
            using var vae = new VaeTrainingRun(settings);
            status?.Invoke($"stage 1/2: VAE, {settings.VaeSteps} steps of {settings.VaeBatchSize} images");
            int done = new TrainingLoop(VaeRunFolder, settings.CheckpointEvery).Run(vae, progress, cancellation);
            if (done < vae.TotalSteps) return false;
            var config = vae.Export(VaeFolder);
            status?.Invoke($"VAE saved to {VaeFolder} (latent scaling factor {config.ScalingFactor})");
        }

        if (!File.Exists(Path.Combine(TokenizerFolder, "merges.txt")))
            ShapesWorldVocabulary.Build().WriteTo(TokenizerFolder);

        using var denoiser = new DenoiserTrainingRun(settings, VaeFolder, TokenizerFolder);
        status?.Invoke($"stage 2/2: UNet + text encoder, {settings.DenoiserSteps} steps of {settings.DenoiserBatchSize} images");
        int steps = new TrainingLoop(DenoiserRunFolder, settings.CheckpointEvery).Run(denoiser, progress, cancellation);
        if (steps < denoiser.TotalSteps) return false;
        denoiser.Export(outputFolder, VaeFolder);
        status?.Invoke($"model saved to {outputFolder}");
        return true;
    }
}
