using DiffusionTune.Contracts;
using DiffusionTune.Training.Loop;
using DiffusionTune.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Training;

/// <summary>
/// A run that stops for a non-finite value says which value (with its own value), which parameter's gradient, the step,
/// the last good checkpoint, and what to try for its precision and device.
/// </summary>
public class NonFiniteStopTests
{
    const string First = "lora_unet_mid_block_attentions_0_proj_in.lora_down.weight";
    const string Second = "lora_unet_mid_block_attentions_0_proj_in.lora_up.weight";
    const string Third = "lora_unet_up_blocks_1_attentions_0_proj_out.lora_down.weight";

    /// <summary>
    /// Trains three offsets on the UNet output. At <c>infAt</c> the loss gains terms that add nothing but whose
    /// gradients are infinite (√x at x = 0): in two of <see cref="Second"/>'s four elements and one of <see cref="Third"/>'s.
    /// </summary>
    sealed class InfGradientTrainer(int infAt) : ITrainer
    {
        public TrainerInfo Info { get; } = new("offsets", "test", new Version(1, 0), []);

        public ITrainingSession Begin(ITrainingContext context) => new Session(context, infAt);

        sealed class Session(ITrainingContext context, int infAt) : ITrainingSession
        {
            readonly Parameter _first = new(zeros(4)), _second = new(zeros(4)), _third = new(zeros(4));

            public IReadOnlyList<ParameterGroup> Parameters => [new ParameterGroup("unet", [(First, _first), (Second, _second), (Third, _third)])];

            public Tensor Loss(TrainingBatch batch, ITrainingStep step)
            {
                var noised = step.AddNoise(batch.Latents);
                var prediction = context.Model.Unet.call(noised.Noisy, noised.Timesteps, context.Model.EncodePrompts(batch.Prompts))
                    + (_first + _second + _third).view(1, 4, 1, 1);
                var loss = step.DenoisingLoss(prediction, noised, batch.LossWeights);
                if (step.Step != infAt) return loss;
                return loss + InfiniteGradient(_second.narrow(0, 0, 2)) + InfiniteGradient(_third.narrow(0, 0, 1));
            }

            static Tensor InfiniteGradient(Tensor values) => (values - values.detach()).sqrt().sum();

            public IReadOnlyList<SavedFile> Save(ISaveContext save) => [];

            public void Dispose()
            {
                _first.Dispose();
                _second.Dispose();
                _third.Dispose();
            }
        }
    }

    [Fact]
    public void A_non_finite_gradient_names_its_own_norm_the_parameter_the_step_and_the_last_checkpoint()
    {
        var folder = TestPaths.TempFolder();
        using var run = TrainingLoopTests.Run(new InfGradientTrainer(infAt: 2), folder, steps: 10);
        var error = Assert.Throws<TrainingDivergedException>(() => new TrainingLoop(folder, checkpointEvery: 2).Run(run));

        // The norm's own value, not the loss's (which was finite).
        Assert.Matches(@"offsets: step 3 gave a non-finite gradient norm \(Infinity\) from a finite loss \(\d+\.\d+\)\.", error.Message);
        Assert.Contains($"Non-finite gradients are in 2 of the 3 trained parameters; the first is '{Second}' (2 of its 4 elements).", error.Message);
        Assert.Contains($"The last good checkpoint is {Path.Combine(Path.GetFullPath(folder), "checkpoints", "step-000002")} (step 2).", error.Message);
        // fp32 after some updates: the learning rate is the suspect, not the precision.
        Assert.Contains("Try: lower the learning rate (this step's was 0.01).", error.Message);
        Assert.DoesNotContain("--precision", error.Message);
    }

    [Fact]
    public void A_non_finite_gradient_at_the_first_step_says_no_checkpoint_exists_and_that_the_learning_rate_is_not_to_blame()
    {
        var folder = TestPaths.TempFolder();
        using var run = TrainingLoopTests.Run(new InfGradientTrainer(infAt: 0), folder, steps: 10);
        var error = Assert.Throws<TrainingDivergedException>(() => new TrainingLoop(folder, checkpointEvery: 2).Run(run));

        Assert.Contains("offsets: step 1 gave a non-finite gradient norm (Infinity)", error.Message);
        Assert.Contains($"'{Second}'", error.Message);
        Assert.Contains("No checkpoint was saved yet.", error.Message);
        Assert.Contains("No update had been made yet, so the learning rate is not the cause.", error.Message);
        Assert.Contains("check the trainer's loss for a square root or logarithm at zero", error.Message);
        Assert.Contains("run `diffusiontune doctor`, which checks this host's CPU kernels in fp32;", error.Message);
    }

    /// <summary>Finite steps until <c>divergeAt</c> (0-based), which returns <c>diverged</c>; nothing to save.</summary>
    sealed class ScriptedRun(ScalarType dtype, DeviceType device, int divergeAt, StepResult diverged) : ITrainingRun
    {
        public string Name => "scripted";

        public int TotalSteps => 10;

        public ScalarType ComputeDtype => dtype;

        public DeviceType DeviceType => device;

        public StepResult Step(int step) => step == divergeAt ? diverged : new StepResult(0.1, 1e-4, 1.0);

        public void SaveCheckpoint(string folder, int stepsDone) { }

        public void LoadCheckpoint(string folder) { }

        public void AfterStep(int stepsDone, CancellationToken cancellation) { }
    }

    static string Stop(ScalarType dtype, DeviceType device, int divergeAt, StepResult diverged)
    {
        var folder = TestPaths.TempFolder();
        return Assert.Throws<TrainingDivergedException>(() =>
            new TrainingLoop(folder, checkpointEvery: 3).Run(new ScriptedRun(dtype, device, divergeAt, diverged))).Message;
    }

    static readonly StepResult NanGradients = new(0.25, 1e-4, double.NaN, NonFiniteGradients: new NonFiniteGradients(First, 7, 64, 1, 12));

    [Fact]
    public void Bf16_on_the_cpu_points_to_the_doctor_and_fp32()
    {
        var message = Stop(ScalarType.BFloat16, DeviceType.CPU, divergeAt: 4, NanGradients);
        Assert.Contains("scripted: step 5 gave a non-finite gradient norm (NaN) from a finite loss (0.25).", message);
        Assert.Contains($"Non-finite gradients are in 1 of the 12 trained parameters; the first is '{First}' (7 of its 64 elements).", message);
        Assert.Contains("(step 3).", message);
        Assert.Contains("Try: run `diffusiontune doctor`, which checks this host's CPU kernels in bf16, or train with `--precision fp32`; lower the learning rate (this step's was 0.0001).", message);
        Assert.DoesNotContain("--precision bf16", message);
    }

    [Fact]
    public void Fp16_points_to_bf16_and_on_the_cpu_also_to_the_doctor()
    {
        var onCuda = Stop(ScalarType.Float16, DeviceType.CUDA, divergeAt: 4, NanGradients);
        Assert.Contains("`--precision bf16`", onCuda);
        Assert.DoesNotContain("doctor", onCuda);

        var onCpu = Stop(ScalarType.Float16, DeviceType.CPU, divergeAt: 4, NanGradients);
        Assert.Contains("`--precision bf16`", onCpu);
        Assert.Contains("run `diffusiontune doctor`, which checks this host's CPU kernels in fp16, or train with `--precision fp32`", onCpu);
    }

    [Fact]
    public void A_nan_loss_at_the_first_step_points_to_the_images_and_the_model_file()
    {
        var message = Stop(ScalarType.Float32, DeviceType.CUDA, divergeAt: 0, new StepResult(double.NaN, 1e-4, double.NaN));
        Assert.Contains("scripted: step 1 gave a non-finite loss (NaN).", message);
        Assert.Contains("No checkpoint was saved yet.", message);
        Assert.Contains("No update had been made yet, so the learning rate is not the cause.", message);
        Assert.Contains("Try: check the training images and the model file for NaN or infinite values.", message);
        Assert.DoesNotContain("lower the learning rate", message);
        Assert.DoesNotContain("--precision", message);
    }

    [Fact]
    public void The_optimizer_finds_the_non_finite_gradients_before_releasing_them_and_only_on_a_non_finite_norm()
    {
        var layers = nn.Sequential(("first", nn.Linear(3, 5)), ("second", nn.Linear(5, 2)));
        layers.to(ScalarType.BFloat16);
        using var optimizer = new MasterWeightOptimizer(
            [new TrainableGroup("all", layers.named_parameters().Select(p => (p.name, p.parameter)).ToList())], new AdamWSettings());
        void Backward()
        {
            using var scope = NewDisposeScope();
            optimizer.Backward(layers.call(ones([4, 3], ScalarType.BFloat16)).to(ScalarType.Float32).square().mean());
        }

        Backward();
        Assert.Null(optimizer.Step(0.01, maxGradNorm: 1.0).NonFiniteGradients);

        Backward();
        using (no_grad())
        {
            var secondWeight = layers.named_parameters().Single(p => p.name == "second.weight").parameter;
            secondWeight.grad![0, 1] = float.NaN;
            secondWeight.grad![1, 3] = float.PositiveInfinity;
            layers.named_parameters().Single(p => p.name == "second.bias").parameter.grad![0] = float.NegativeInfinity;
        }
        var result = optimizer.Step(0.01, maxGradNorm: 1.0);
        Assert.Equal(new NonFiniteGradients("second.weight", 2, 10, 2, 4), result.NonFiniteGradients);
        Assert.All(layers.parameters(), parameter => Assert.Null(parameter.grad));
    }
}
