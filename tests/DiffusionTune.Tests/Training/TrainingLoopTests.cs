using DiffusionTune.Contracts;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Training.Checkpoints;
using DiffusionTune.Training.Engine;
using DiffusionTune.Training.Loop;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Training;

/// <summary>The engine's loop with in-test trainers: divergence handling and flat native memory.</summary>
public class TrainingLoopTests
{
    /// <summary>Random latents and a fixed prompt; the data layer has its own tests.</summary>
    internal sealed class RandomBatches : ITrainingBatches
    {
        public TrainingBatch Get(int step, int microBatch, Generator random) =>
            new(randn([2, 4, 8, 8], generator: random), ["a cat", "a dog"], [false, false], [1f, 1f]);

        public double EpochsAfter(int steps) => steps / 10.0;
    }

    /// <summary>Trains one extra bias on the UNet output; its loss turns into NaN from step <c>nanFrom</c> on.</summary>
    internal sealed class BiasTrainer(int nanFrom) : ITrainer
    {
        public TrainerInfo Info { get; } = new("bias", "test", new Version(1, 0), []);

        public ITrainingSession Begin(ITrainingContext context) => new Session(context, nanFrom);

        sealed class Session(ITrainingContext context, int nanFrom) : ITrainingSession
        {
            readonly Parameter _bias = new(zeros(4));

            public IReadOnlyList<ParameterGroup> Parameters => [new ParameterGroup("bias", [("bias", _bias)])];

            public Tensor Loss(TrainingBatch batch, ITrainingStep step)
            {
                var noised = step.AddNoise(batch.Latents);
                var prediction = context.Model.Unet.call(noised.Noisy, noised.Timesteps, context.Model.EncodePrompts(batch.Prompts))
                    + _bias.view(1, 4, 1, 1);
                var loss = step.DenoisingLoss(prediction, noised, batch.LossWeights);
                return step.Step >= nanFrom ? loss * double.NaN : loss;
            }

            public IReadOnlyList<SavedFile> Save(ISaveContext save) => [];

            public void Dispose() => _bias.Dispose();
        }
    }

    /// <summary>A run of <paramref name="trainer"/> on the tiny random model, computing in <paramref name="dtype"/> (fp32 by default).</summary>
    internal static TrainerRun Run(ITrainer trainer, string folder, int steps, ScalarType dtype = ScalarType.Float32, TrainerOptionValues? options = null)
    {
        var model = RandomTinyModel.Create();
        model.Unet.to(dtype);
        model.TextEncoder.to(dtype);
        return Run(trainer, folder, model, new EngineSettings { Steps = steps, SaveEvery = 5, LearningRate = 1e-2 }, options);
    }

    /// <summary>A run of <paramref name="trainer"/> on <paramref name="model"/> with <paramref name="settings"/>.</summary>
    internal static TrainerRun Run(ITrainer trainer, string folder, StableDiffusionModel model, EngineSettings settings, TrainerOptionValues? options = null) =>
        new(trainer, options ?? new TrainerOptionValues(new Dictionary<string, object?>()), model, settings, new RandomBatches(),
            new RunOutput(folder, Path.Combine(folder, "out"), "bias", ModelOutputFormat.Diffusers),
            new ConceptDescription("a cat", null, null), new SilentLog(), new Dictionary<string, string>());

    internal sealed class SilentLog : ITrainingLog
    {
        public void Info(string message) { }

        public void Warning(string message) { }

        public void Scalar(string name, double value, int step) { }
    }

    [Fact]
    public void A_nan_loss_stops_the_run_and_keeps_the_last_good_checkpoint()
    {
        var folder = TestPaths.TempFolder();
        using var run = Run(new BiasTrainer(nanFrom: 7), folder, steps: 20);
        var error = Assert.Throws<TrainingDivergedException>(() => new TrainingLoop(folder, 5).Run(run));
        Assert.Contains("bias: step 8 gave a non-finite loss (NaN).", error.Message);
        // The NaN loss made every gradient NaN, and the message says so.
        Assert.Contains("Non-finite gradients are in 1 of the 1 trained parameters; the first is 'bias' (4 of its 4 elements).", error.Message);
        Assert.Contains($"{Path.DirectorySeparatorChar}step-000005 (step 5).", error.Message);
        Assert.Equal(5, new RunCheckpoints(folder).Latest()!.Value.Step);
    }

    [Fact]
    public void Native_memory_stays_flat_over_many_steps()
    {
        var folder = TestPaths.TempFolder();
        using var run = Run(new BiasTrainer(nanFrom: int.MaxValue), folder, steps: 40);
        var live = new Dictionary<int, long>();
        new TrainingLoop(folder, 1000).Run(run, (done, _, _) => live[done] = DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        // After warm-up (optimizer state created on the first step), no step may leave tensors behind.
        Assert.Equal(live[5], live[40]);
    }
}
