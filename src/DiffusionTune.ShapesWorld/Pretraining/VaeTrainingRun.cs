using System.Text.Json;
using DiffusionTune.IO;
using DiffusionTune.IO.Images;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Models.Loading;
using DiffusionTune.Models.Runtime;
using DiffusionTune.Models.Vae;
using DiffusionTune.Training.Loop;
using DiffusionTune.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Pretraining;

/// <summary>
/// Stage 1: the VAE learns to reconstruct shapes-world images through 16×16×4 latents (L1 + L2 reconstruction, a tiny
/// KL term as in Stable Diffusion's VAE so the latent stays a well-behaved Gaussian).
/// </summary>
public sealed class VaeTrainingRun : ITrainingRun, IDisposable
{
    const ulong Stage = 1;
    const double KlWeight = 1e-6;
    const string OptimizerFile = "optimizer.bin";
    const string WeightsFile = "vae.safetensors";

    readonly PretrainSettings _settings;
    readonly AutoencoderKL _vae;
    readonly MasterWeightOptimizer _optimizer;
    readonly LearningRateSchedule _schedule;
    readonly ShapesWorldBatches _batches;
    readonly ShapesWorldDataset _previewData;

    public VaeTrainingRun(PretrainSettings settings)
    {
        _settings = settings;
        manual_seed((long)settings.Seed);
        _vae = new AutoencoderKL(ShapesWorldRecipe.Vae);
        _vae.to(settings.Device, settings.Dtype);
        _vae.train();
        _optimizer = new MasterWeightOptimizer(
            [new TrainableGroup("vae", _vae.named_parameters().Select(p => (p.name, p.parameter)).ToList())],
            new AdamWSettings(WeightDecay: 0));
        _schedule = new LearningRateSchedule(settings.VaeLearningRate, LearningRateShape.Cosine, settings.WarmupSteps, settings.VaeSteps, MinimumFactor: 0.05);
        _batches = new ShapesWorldBatches(new ShapesWorldDataset(settings.Seed + Stage), settings.VaeBatchSize);
        _previewData = new ShapesWorldDataset(settings.Seed + 100);
    }

    public string Name => "vae";

    public int TotalSteps => _settings.VaeSteps;

    public ScalarType ComputeDtype => _settings.Dtype;

    public DeviceType DeviceType => _settings.Device.type;

    public AutoencoderKL Model => _vae;

    public StepResult Step(int step)
    {
        using var random = StepRandomness.For(_settings.Seed, Stage, step);
        var (images, _) = _batches.Get(step, _settings.Device, _settings.Dtype);
        using var posterior = _vae.Encode(images);
        var noise = HostToDevice.Move(randn(posterior.Mean.shape, ScalarType.Float32, CPU, generator: random), _settings.Device, posterior.Mean.dtype);
        var reconstruction = _vae.Decode(posterior.Sample(noise)).to(ScalarType.Float32);
        var target = images.to(ScalarType.Float32);
        var mean = posterior.Mean.to(ScalarType.Float32);
        var logVariance = posterior.LogVariance.to(ScalarType.Float32);
        var kl = 0.5 * (mean.square() + logVariance.exp() - 1 - logVariance).mean();
        var loss = (reconstruction - target).abs().mean() + (reconstruction - target).square().mean() + KlWeight * kl;
        _optimizer.Backward(loss);
        double rate = _schedule.RateAt(step);
        var update = _optimizer.Step(rate, maxGradNorm: 1.0);
        return new StepResult(loss.item<float>(), rate, update);
    }

    public void SaveCheckpoint(string folder, int stepsDone)
    {
        using (var stream = File.Create(Path.Combine(folder, OptimizerFile)))
        using (var writer = new BinaryWriter(stream))
            _optimizer.Save(writer);
        SafetensorsWriter.Save(Path.Combine(folder, WeightsFile), _optimizer.Masters.Select(m => new KeyValuePair<string, Tensor>(m.Name, m.Parameter)));
        File.WriteAllText(Path.Combine(folder, "state.json"), JsonSerializer.Serialize(new { stage = Name, steps_done = stepsDone }));
    }

    public void LoadCheckpoint(string folder)
    {
        using var stream = File.OpenRead(Path.Combine(folder, OptimizerFile));
        using var reader = new BinaryReader(stream);
        _optimizer.Load(reader);
    }

    /// <summary>A reconstruction grid of 8 images now and then: one encoder and one decoder call, too short to need cancelling.</summary>
    public void AfterStep(int stepsDone, CancellationToken cancellation)
    {
        if (stepsDone % _settings.CheckpointEvery != 0 && stepsDone != TotalSteps) return;
        using var scope = NewDisposeScope();
        var originals = ShapesWorldBatches.Render(_previewData, Enumerable.Range(0, 8).Select(i => (long)i));
        var input = ImageTensors.ToBatch(originals).to(_settings.Dtype, _settings.Device);
        Tensor reconstructed;
        _vae.eval();
        using (no_grad())
        using (var posterior = _vae.Encode(input))
            reconstructed = _vae.Decode(posterior.Mean).to(ScalarType.Float32).cpu();
        _vae.train();
        var pictures = originals.Concat(ImageTensors.ToBitmaps(reconstructed)).ToArray();
        using var grid = ImageGrid.Compose(pictures, 8, new ImageGridOptions());
        foreach (var picture in pictures) picture.Dispose();
        var path = Path.Combine(_settings.RunFolder, "samples", $"vae-step-{stepsDone:D6}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        PngWriter.Write(path, grid, overwrite: true);
    }

    /// <summary>
    /// Saves the trained VAE as a diffusers <c>vae/</c> folder, with the latent scaling factor measured as Stable
    /// Diffusion's was: one over the standard deviation of sampled latents, here over 1,024 fresh images.
    /// </summary>
    public AutoencoderKLConfig Export(string folder)
    {
        using var scope = NewDisposeScope();
        using var exported = new AutoencoderKL(ShapesWorldRecipe.Vae);
        using (no_grad())
        {
            var masters = _optimizer.Masters.ToDictionary(m => m.Name, m => m.Parameter);
            foreach (var (name, parameter) in exported.named_parameters()) parameter.copy_(masters[name]);
        }
        exported.eval();
        var latents = new List<Tensor>();
        var data = new ShapesWorldDataset(_settings.Seed + 200);
        var batches = new ShapesWorldBatches(data, 64);
        using var random = StepRandomness.For(_settings.Seed, Stage + 100, 0);
        for (int b = 0; b < 16; b++)
        {
            using var batchScope = NewDisposeScope();
            var (images, _) = batches.Get(b, CPU, ScalarType.Float32);
            using var _ = no_grad();
            using var posterior = exported.Encode(images);
            latents.Add(batchScope.MoveToOuter(posterior.Sample(randn(posterior.Mean.shape, generator: random))));
        }
        double std = cat(latents, 0).std().item<float>();
        var config = ShapesWorldRecipe.Vae with { ScalingFactor = Math.Round(1.0 / std, 5) };
        PretrainedComponent.Save(folder, AutoencoderKL.WeightsBaseName, config, exported);
        return config;
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _vae.Dispose();
    }
}
