using DiffusionTune.IO;
using DiffusionTune.Training.Checkpoints;
using DiffusionTune.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Training;

public class TrainingPrimitivesTests
{
    [Fact]
    public void Learning_rate_schedules_warm_up_then_follow_their_shape()
    {
        var cosine = new LearningRateSchedule(1e-3, LearningRateShape.Cosine, WarmupSteps: 10, TotalSteps: 110, MinimumFactor: 0.1);
        Assert.Equal(1e-4, cosine.RateAt(0), 12);
        Assert.Equal(1e-3, cosine.RateAt(9), 12);
        Assert.Equal(1e-3, cosine.RateAt(10), 12);
        Assert.Equal(0.55e-3, cosine.RateAt(60), 12);
        Assert.Equal(1e-4, cosine.RateAt(110), 12);
        var linear = new LearningRateSchedule(2.0, LearningRateShape.Linear, 0, 100);
        Assert.Equal(1.0, linear.RateAt(50), 12);
        Assert.Equal(2.0, new LearningRateSchedule(2.0, LearningRateShape.Constant, 0, 100).RateAt(99));
    }

    [Fact]
    public void Master_weights_track_an_fp32_run_and_resume_exactly()
    {
        // The same problem trained in bf16 with fp32 masters ends close to the fp32 run.
        var fp32 = Train(ScalarType.Float32, steps: 30);
        var bf16 = Train(ScalarType.BFloat16, steps: 30);
        TensorAssert.Close(fp32, bf16, rtol: 0.05, atol: 0.02, "bf16 with fp32 masters vs fp32");

        // 30 steps in one go equal 15 steps, a save/load into a fresh optimizer, then 15 more.
        var straight = Train(ScalarType.BFloat16, steps: 30);
        var resumed = Train(ScalarType.BFloat16, steps: 30, resumeAt: 15);
        Assert.True(TensorAssert.Identical(straight, resumed), "the resumed run diverged");
    }

    static Tensor Train(ScalarType dtype, int steps, int? resumeAt = null)
    {
        // A private generator: tests run in parallel and torch's global one is shared.
        using var generator = new Generator(0, CPU).manual_seed(1);
        var target = randn([4, 8], generator: generator);
        var inputs = randn([16, 8], generator: generator);
        var layer = nn.Linear(8, 4);
        using (no_grad())
        {
            layer.weight!.copy_(randn([4, 8], generator: generator) * 0.3);
            layer.bias!.copy_(randn([4], generator: generator) * 0.3);
        }
        layer.to(dtype);
        var optimizer = Optimizer(layer);
        for (int step = 0; step < steps; step++)
        {
            if (step == resumeAt)
            {
                using var buffer = new MemoryStream();
                optimizer.Save(new BinaryWriter(buffer));
                optimizer.Dispose();
                optimizer = Optimizer(layer);
                buffer.Position = 0;
                optimizer.Load(new BinaryReader(buffer));
            }
            using var scope = NewDisposeScope();
            var prediction = layer.call(inputs.to(dtype)).to(ScalarType.Float32);
            (prediction - inputs.matmul(target.T)).square().mean().backward();
            optimizer.Step(0.05, maxGradNorm: 1.0);
        }
        optimizer.Dispose();
        return layer.weight!.detach().to(ScalarType.Float32);
    }

    static MasterWeightOptimizer Optimizer(Linear layer) =>
        new([new TrainableGroup("all", layer.named_parameters().Select(p => (p.name, p.parameter)).ToList())], new AdamWSettings());

    [Fact]
    public void A_non_finite_gradient_skips_the_update()
    {
        var layer = nn.Linear(2, 1);
        using var optimizer = Optimizer(layer);
        var before = layer.weight!.detach().clone();
        layer.call(tensor(new[] { float.NaN, 1f })).sum().backward();
        Assert.False(double.IsFinite(optimizer.Step(0.1, 1.0).GradientNorm));
        Assert.True(TensorAssert.Identical(before, layer.weight!.detach()));
    }

    [Fact]
    public void The_moving_average_follows_the_weights()
    {
        var layer = nn.Linear(2, 2);
        using var ema = new ExponentialMovingAverage(layer.named_parameters().Select(p => (p.name, p.parameter)), decay: 0.5);
        using (no_grad()) layer.weight!.fill_(1.0);
        for (int i = 0; i < 50; i++) ema.Update(1000);
        TensorAssert.Close(ones(2, 2), ema.Weights["weight"], 1e-6, 1e-6, "EMA after many updates");
    }

    [Fact]
    public void Checkpoints_are_atomic_and_only_the_newest_are_kept()
    {
        var run = TestPaths.TempFolder();
        var checkpoints = new RunCheckpoints(run, keepLast: 2);
        Assert.Null(checkpoints.Latest());
        foreach (var step in new[] { 100, 200, 300 })
            checkpoints.Save(step, folder => File.WriteAllText(Path.Combine(folder, "state.json"), $"{step}"));
        var error = Assert.Throws<FileAccessException>(() => checkpoints.Save(400, _ => throw new IOException("disk full")));

        Assert.Equal($"could not write {Path.Combine(checkpoints.Folder, "step-000400")}: disk full", error.Message);

        Assert.Equal(300, checkpoints.Latest()!.Value.Step);
        Assert.Equal(new[] { "step-000200", "step-000300" }, Directory.GetDirectories(checkpoints.Folder).Select(d => Path.GetFileName(d)).Order().ToArray());
    }

    [Fact]
    public void A_generator_state_round_trips()
    {
        using var generator = new Generator(0, CPU).manual_seed(7);
        var saved = RandomState.Capture(generator);
        var first = randn([4], generator: generator);
        RandomState.Restore(generator, saved);
        Assert.True(TensorAssert.Identical(first, randn([4], generator: generator)));
    }
}
