using DiffusionTune.Contracts;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Engine;

/// <summary>The engine's <see cref="ITrainingStep"/>: noising with the run's settings and the standard weighted loss.</summary>
public sealed class TrainingStep : ITrainingStep
{
    readonly Generator random;
    readonly NoiseSchedule schedule;
    readonly EngineSettings settings;

    /// <param name="random">The step's generator; a CPU one, so that the step draws the same numbers whatever device trains.</param>
    public TrainingStep(int step, Generator random, NoiseSchedule schedule, EngineSettings settings)
    {
        if (random.device.type != DeviceType.CPU)
            throw new ArgumentException($"a training step draws its randomness from a CPU generator (one on {random.device} would give other numbers on other devices)", nameof(random));
        Step = step;
        this.random = random;
        this.schedule = schedule;
        this.settings = settings;
    }

    public int Step { get; }

    public Generator Random => random;

    public NoisedLatents AddNoise(Tensor latents)
    {
        long batch = latents.shape[0];
        var device = latents.device;
        // Drawn on the CPU generator and then moved, so a seed gives the same noise on every device.
        var noise = HostToDevice.Move(randn(latents.shape, ScalarType.Float32, CPU, generator: random), device);
        if (settings.NoiseOffset > 0)
            noise = noise + settings.NoiseOffset * HostToDevice.Move(randn([batch, latents.shape[1], 1, 1], ScalarType.Float32, CPU, generator: random), device);
        var timesteps = HostToDevice.Move(randint(0, schedule.NumTrainTimesteps, [batch], ScalarType.Int64, CPU, generator: random), device);
        var clean = latents.to(ScalarType.Float32);
        return new NoisedLatents(schedule.AddNoise(clean, noise, timesteps), timesteps, noise, schedule.TrainingTarget(clean, noise, timesteps));
    }

    public Tensor DenoisingLoss(Tensor prediction, NoisedLatents noised, IReadOnlyList<float>? itemWeights = null)
    {
        var perItem = (prediction.to(ScalarType.Float32) - noised.Target).square().mean([1, 2, 3]);
        if (settings.MinSnrGamma > 0)
            perItem = perItem * schedule.MinSnrWeights(noised.Timesteps, settings.MinSnrGamma);
        if (itemWeights is not null)
        {
            if (itemWeights.Count != perItem.shape[0])
                throw new ArgumentException($"{itemWeights.Count} item weights for a batch of {perItem.shape[0]}");
            perItem = perItem * tensor(itemWeights.ToArray(), device: perItem.device);
        }
        return perItem.mean();
    }
}
