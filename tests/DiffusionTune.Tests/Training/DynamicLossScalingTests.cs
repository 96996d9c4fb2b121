using DiffusionTune.Contracts;
using DiffusionTune.Training.Engine;
using DiffusionTune.Training.Loop;
using DiffusionTune.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Training;

/// <summary>fp16 training's dynamic loss scaling: the scaler's policy, the optimizer's skip, the loop, and resume.</summary>
public class DynamicLossScalingTests
{
    [Fact]
    public void The_scale_doubles_after_the_growth_interval_and_halves_with_a_skip_on_overflow()
    {
        var scaler = new DynamicLossScaler(growthInterval: 3);
        Assert.Equal(65536, scaler.Scale);
        Assert.Equal(DynamicLossScaler.Decision.Apply, scaler.Update(gradientsFinite: true));
        Assert.Equal(DynamicLossScaler.Decision.Apply, scaler.Update(gradientsFinite: true));
        Assert.Equal(65536, scaler.Scale);
        Assert.Equal(DynamicLossScaler.Decision.Apply, scaler.Update(gradientsFinite: true));
        Assert.Equal(131072, scaler.Scale);
        Assert.Equal(0, scaler.GoodSteps);

        // Two good steps, then an overflow: skipped, halved, and the count of good steps starts again.
        scaler.Update(true);
        scaler.Update(true);
        Assert.Equal(DynamicLossScaler.Decision.Skip, scaler.Update(gradientsFinite: false));
        Assert.Equal(65536, scaler.Scale);
        Assert.Equal(0, scaler.GoodSteps);
        scaler.Update(true);
        scaler.Update(true);
        Assert.Equal(65536, scaler.Scale);
        scaler.Update(true);
        Assert.Equal(131072, scaler.Scale);
    }

    [Fact]
    public void Overflowing_at_the_minimum_scale_is_a_divergence_not_another_skip()
    {
        var scaler = new DynamicLossScaler();
        for (int i = 0; i < 16; i++) Assert.Equal(DynamicLossScaler.Decision.Skip, scaler.Update(false));
        Assert.Equal(DynamicLossScaler.MinimumScale, scaler.Scale);
        Assert.Equal(DynamicLossScaler.Decision.Diverged, scaler.Update(false));
    }

    [Fact]
    public void An_injected_inf_gradient_skips_exactly_that_step_and_leaves_weights_and_moments_untouched()
    {
        using var generator = new Generator(0, CPU).manual_seed(3);
        var layer = nn.Linear(8, 4);
        layer.to(ScalarType.Float16);
        // Small values, so that no gradient overflows fp16 by itself at the initial scale.
        var inputs = randn([16, 8], generator: generator) * 0.1;
        var targets = randn([16, 4], generator: generator) * 0.1;
        using var optimizer = Optimizer(layer, growthInterval: 2000);
        Assert.Equal(65536, optimizer.LossScale);

        Tensor Weights() => layer.weight!.detach().to(ScalarType.Float32).clone();
        byte[] State()
        {
            using var buffer = new MemoryStream();
            optimizer.Save(new BinaryWriter(buffer));
            return buffer.ToArray();
        }

        var results = new List<OptimizerStepResult>();
        var weights = new List<Tensor> { Weights() };
        byte[] before = [], after = [];
        for (int step = 0; step < 4; step++)
        {
            using (var scope = NewDisposeScope())
            {
                var loss = (layer.call(inputs.to(ScalarType.Float16)).to(ScalarType.Float32) - targets).square().mean();
                optimizer.Backward(loss);
            }
            if (step == 2)
            {
                using (no_grad()) layer.weight!.grad![0, 0] = float.PositiveInfinity;
                before = State();
            }
            results.Add(optimizer.Step(0.01, maxGradNorm: 1.0));
            if (step == 2) after = State();
            weights.Add(Weights());
        }

        Assert.Equal([false, false, true, false], results.Select(r => r.SkippedOverflow));
        Assert.False(double.IsFinite(results[2].GradientNorm));
        Assert.All(results.Where(r => !r.SkippedOverflow), r => Assert.True(double.IsFinite(r.GradientNorm)));
        Assert.Equal([65536, 65536, 65536, 32768], results.Select(r => r.LossScale!.Value));
        Assert.Equal(32768, optimizer.LossScale);
        for (int step = 0; step < 4; step++)
        {
            bool unchanged = TensorAssert.Identical(weights[step], weights[step + 1]);
            Assert.True(unchanged == (step == 2), $"step {step}: weights {(unchanged ? "unchanged" : "changed")}");
        }
        // AdamW's moments and step count, and the fp32 masters, are as before the skipped step; only the scale moved.
        Assert.Equal(before.Length, after.Length);
        Assert.Equal(before[..^12], after[..^12]);
        Assert.Equal(65536, BitConverter.ToDouble(before, before.Length - 12));
        Assert.Equal(32768, BitConverter.ToDouble(after, after.Length - 12));
    }

    [Fact]
    public void Gradients_are_unscaled_before_clipping_so_fp16_follows_the_fp32_run()
    {
        var fp32 = TrainLinear(ScalarType.Float32, steps: 20, growthInterval: 2000);
        var fp16 = TrainLinear(ScalarType.Float16, steps: 20, growthInterval: 2000);
        TensorAssert.Close(fp32.Weights, fp16.Weights, rtol: 0.02, atol: 0.01, "fp16 with loss scaling vs fp32");
        // The gradient norm is the unscaled one (the scale, 65536, would show in it otherwise).
        Assert.InRange(fp16.LastNorm / fp32.LastNorm, 0.9, 1.1);
    }

    [Fact]
    public void A_resumed_optimizer_continues_with_the_saved_scale_and_good_step_count()
    {
        // Growth every 3 good steps: 10 steps end at 65536·2³; stopping at 5 (65536·2, 2 good steps) and resuming must too.
        var straight = TrainLinear(ScalarType.Float16, steps: 10, growthInterval: 3);
        var resumed = TrainLinear(ScalarType.Float16, steps: 10, growthInterval: 3, resumeAt: 5);
        Assert.Equal(65536 * 8, straight.Scale);
        Assert.Equal(straight.Scale, resumed.Scale);
        Assert.Equal(65536 * 2, resumed.ScaleAtResume);
        Assert.True(TensorAssert.Identical(straight.Weights, resumed.Weights), "the resumed fp16 run diverged");
    }

    sealed record Trained(Tensor Weights, double? Scale, double? ScaleAtResume, double LastNorm);

    static Trained TrainLinear(ScalarType dtype, int steps, int growthInterval, int? resumeAt = null)
    {
        using var generator = new Generator(0, CPU).manual_seed(1);
        // Small values, so that no gradient overflows fp16 even at 8× the initial scale.
        var target = randn([4, 8], generator: generator) * 0.3;
        var inputs = randn([16, 8], generator: generator) * 0.1;
        var layer = nn.Linear(8, 4);
        using (no_grad())
        {
            layer.weight!.copy_(randn([4, 8], generator: generator) * 0.3);
            layer.bias!.copy_(randn([4], generator: generator) * 0.3);
        }
        layer.to(dtype);
        var optimizer = Optimizer(layer, growthInterval);
        double? scaleAtResume = null;
        double norm = 0;
        for (int step = 0; step < steps; step++)
        {
            if (step == resumeAt)
            {
                using var buffer = new MemoryStream();
                optimizer.Save(new BinaryWriter(buffer));
                optimizer.Dispose();
                optimizer = Optimizer(layer, growthInterval);
                Assert.Equal(65536, optimizer.LossScale);
                buffer.Position = 0;
                optimizer.Load(new BinaryReader(buffer));
                scaleAtResume = optimizer.LossScale;
            }
            using var scope = NewDisposeScope();
            var prediction = layer.call(inputs.to(dtype)).to(ScalarType.Float32);
            optimizer.Backward((prediction - inputs.matmul(target.T)).square().mean());
            norm = optimizer.Step(0.05, maxGradNorm: 1.0).GradientNorm;
        }
        var scale = optimizer.LossScale;
        optimizer.Dispose();
        return new Trained(layer.weight!.detach().to(ScalarType.Float32), scale, scaleAtResume, norm);
    }

    static MasterWeightOptimizer Optimizer(Linear layer, int growthInterval) =>
        new([new TrainableGroup("all", layer.named_parameters().Select(p => (p.name, p.parameter)).ToList())], new AdamWSettings(), growthInterval);

    /// <summary>
    /// Trains one fp16 bias on the UNet output. At <c>overflowAt</c> its loss gains a term that adds nothing but whose
    /// gradient is infinite (√x at x = 0); from <c>nanFrom</c> on the loss itself is NaN.
    /// </summary>
    sealed class InjectingTrainer(int overflowAt, int nanFrom) : ITrainer
    {
        public TrainerInfo Info { get; } = new("bias", "test", new Version(1, 0), []);

        public Parameter? Bias { get; private set; }

        public ITrainingSession Begin(ITrainingContext context)
        {
            var session = new Session(context, overflowAt, nanFrom);
            Bias = session.Bias;
            return session;
        }

        sealed class Session(ITrainingContext context, int overflowAt, int nanFrom) : ITrainingSession
        {
            public Parameter Bias { get; } = new(zeros([4], context.ComputeDtype));

            public IReadOnlyList<ParameterGroup> Parameters => [new ParameterGroup("bias", [("bias", Bias)])];

            public Tensor Loss(TrainingBatch batch, ITrainingStep step)
            {
                var noised = step.AddNoise(batch.Latents);
                var prediction = context.Model.Unet.call(noised.Noisy.to(context.ComputeDtype), noised.Timesteps, context.Model.EncodePrompts(batch.Prompts))
                    + Bias.view(1, 4, 1, 1);
                var loss = step.DenoisingLoss(prediction, noised, batch.LossWeights);
                if (step.Step == overflowAt) loss = loss + (Bias[0] - Bias[0].detach()).to(ScalarType.Float32).sqrt();
                return step.Step >= nanFrom ? loss * double.NaN : loss;
            }

            public IReadOnlyList<SavedFile> Save(ISaveContext save) => [];

            public void Dispose() => Bias.Dispose();
        }
    }

    static TrainerRun Fp16Run(ITrainer trainer, string folder, int steps) => TrainingLoopTests.Run(trainer, folder, steps, ScalarType.Float16);

    [Fact]
    public void An_fp16_run_skips_an_overflowing_step_without_stopping_but_stops_on_a_nan_loss()
    {
        var trainer = new InjectingTrainer(overflowAt: 2, nanFrom: 5);
        var folder = TestPaths.TempFolder();
        using var run = Fp16Run(trainer, folder, steps: 8);
        var results = new Dictionary<int, StepResult>();
        var biases = new Dictionary<int, Tensor> { [0] = trainer.Bias!.detach().clone() };
        var loop = new TrainingLoop(folder, checkpointEvery: 100);
        var error = Assert.Throws<TrainingDivergedException>(() => loop.Run(run, (done, _, result) =>
        {
            results[done] = result;
            biases[done] = trainer.Bias!.detach().clone();
        }));

        // Step 3 (index 2) was skipped: its loss is finite, its bias unchanged, and the scale halved after it.
        Assert.Equal([1, 2, 3, 4, 5], results.Keys.Order());
        Assert.True(results[3].SkippedOverflow);
        Assert.False(results[3].Diverged);
        Assert.Equal(new NonFiniteGradients("bias", 1, 4, 1, 1), results[3].NonFiniteGradients);
        Assert.True(double.IsFinite(results[3].Loss));
        Assert.True(TensorAssert.Identical(biases[2], biases[3]), "the skipped step changed the weights");
        Assert.False(TensorAssert.Identical(biases[3], biases[4]), "the step after the skip did not train");
        Assert.Equal(results[3].LossScale / 2, results[4].LossScale);
        Assert.All(new[] { 1, 2, 4, 5 }, step => Assert.False(results[step].SkippedOverflow));
        // The NaN loss of step 6 still stops the run.
        Assert.Contains("bias: step 6 gave a non-finite loss (NaN).", error.Message);
        Assert.Contains("`--precision bf16`", error.Message);

        // The skipped step is logged with its loss scale and without a gradient norm.
        var logged = File.ReadLines(Path.Combine(folder, "logs", "scalars.jsonl")).ToArray();
        Assert.Contains("bias/loss_scale", logged[2]);
        Assert.DoesNotContain("bias/gradient_norm", logged[2]);
        Assert.Contains("bias/gradient_norm", logged[3]);
    }

    [Fact]
    public void An_fp16_checkpoint_keeps_the_loss_scale()
    {
        var folder = TestPaths.TempFolder();
        var checkpoint = Directory.CreateDirectory(Path.Combine(folder, "checkpoint")).FullName;
        double? saved;
        using (var run = Fp16Run(new InjectingTrainer(overflowAt: 1, nanFrom: int.MaxValue), folder, steps: 3))
        {
            for (int step = 0; step < 3; step++)
            {
                using var scope = NewDisposeScope();
                run.Step(step);
            }
            saved = run.LossScale;
            run.SaveCheckpoint(checkpoint, 3);
        }
        Assert.Equal(32768, saved);

        using var resumed = Fp16Run(new InjectingTrainer(overflowAt: -1, nanFrom: int.MaxValue), folder, steps: 3);
        Assert.Equal(65536, resumed.LossScale);
        resumed.LoadCheckpoint(checkpoint);
        Assert.Equal(32768, resumed.LossScale);
    }
}
