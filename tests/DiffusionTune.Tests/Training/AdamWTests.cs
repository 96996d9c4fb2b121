using DiffusionTune.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Training;

/// <summary>
/// The master-weight optimizer's AdamW (a fused CPU kernel, and tensor operations elsewhere) against libtorch's own:
/// widening every gradient, <c>clip_grad_norm_</c> over all of them and one <c>AdamW</c> step; and its bf16 moments.
/// </summary>
public class AdamWTests
{
    [Theory]
    [InlineData(ScalarType.BFloat16, 0.05)]   // fp32 masters, clipped
    [InlineData(ScalarType.BFloat16, null)]   // no clipping
    [InlineData(ScalarType.BFloat16, 1e6)]    // a bound the norm never reaches
    [InlineData(ScalarType.Float32, 0.05)]    // the model's own parameters
    [InlineData(ScalarType.Float16, 0.05)]    // fp16: loss scaling, then the same update
    public void Matches_libtorch_clipping_and_AdamW(ScalarType dtype, double? maxGradNorm)
    {
        using var generator = new Generator(0, CPU).manual_seed(3);
        var inputs = randn([16, 8], generator: generator);
        var trained = Network(generator.manual_seed(5), dtype);
        var reference = Network(generator.manual_seed(5), dtype);
        var settings = new AdamWSettings();
        using var optimizer = new MasterWeightOptimizer(
            [new TrainableGroup("all", trained.named_parameters().Select(p => (p.name, p.parameter)).ToList())], settings);
        var masters = reference.parameters().Select(p => new Parameter(p.detach().to(ScalarType.Float32, copy: true))).ToList();
        using var adam = optim.AdamW(masters, lr: 0.01, beta1: settings.Beta1, beta2: settings.Beta2, eps: settings.Epsilon, weight_decay: settings.WeightDecay);

        for (int step = 0; step < 5; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.Backward(Loss(trained, inputs, dtype));
            double scale = optimizer.LossScale ?? 1.0;
            double norm = optimizer.Step(0.01, maxGradNorm).GradientNorm;
            Assert.All(trained.parameters(), p => Assert.Null(p.grad));

            Loss(reference, inputs, dtype).mul(scale).backward();
            foreach (var (model, master) in reference.parameters().Zip(masters))
            {
                master.grad = model.grad!.to(ScalarType.Float32, copy: true).div_(scale).DetachFromDisposeScope();
                model.grad = null;
            }
            if (!double.IsFinite(norm))
            {
                // fp16's first loss scales overflow: the step is skipped, and the reference skips it too.
                Assert.Equal(ScalarType.Float16, dtype);
                foreach (var master in masters) master.grad = null;
                continue;
            }
            double referenceNorm = nn.utils.clip_grad_norm_(masters, maxGradNorm ?? double.PositiveInfinity);
            adam.step();
            using (no_grad())
            {
                foreach (var (model, master) in reference.parameters().Zip(masters))
                {
                    model.copy_(master);
                    master.grad = null;
                }
            }
            Assert.Equal(referenceNorm, norm, 1e-5 * referenceNorm);
        }
        foreach (var ((name, master), expected) in optimizer.Masters.Zip(masters))
            TensorAssert.Close(expected, master, rtol: 1e-5, atol: 1e-6, name);
        foreach (var (model, expected) in trained.parameters().Zip(reference.parameters()))
        {
            var (actual, wanted) = (model.to(ScalarType.Float32), expected.to(ScalarType.Float32));
            Assert.True(actual.sub(wanted).abs().max().item<float>() <= 2 * Spacing(dtype) * wanted.abs().max().item<float>());
        }
    }

    [Theory]
    [InlineData(MomentPrecision.Fp32)]
    [InlineData(MomentPrecision.Bf16)]
    public void The_fused_CPU_kernel_and_the_tensor_operations_agree(MomentPrecision moments)
    {
        using var generator = new Generator(0, CPU).manual_seed(11);
        var settings = new AdamWSettings(Moments: moments);
        var start = randn([300, 301], generator: generator).to(ScalarType.BFloat16);
        using var fused = Parameter(start, settings);
        using var tensors = Parameter(start, settings);
        for (int step = 1; step <= 4; step++)
        {
            var gradient = randn([300, 301], generator: generator).mul_(1e-2).to(ScalarType.BFloat16);
            var scalars = new AdamWStepScalars(settings, 1e-3, step, LossScale: 4, ClipFactor: 0.5, RoundingSeed: (ulong)step);
            FusedAdamWKernel.Update(fused, gradient.mul(4), scalars);
            AdamWTensorUpdate.Update(tensors, gradient.mul(4), scalars);
        }
        // bf16 moments round with different random bits on the two paths, which moves later updates by up to ~1% of
        // a step (1e-3 each here); fp32 moments agree to rounding.
        TensorAssert.Close(tensors.Master, fused.Master, rtol: 1e-5, atol: moments == MomentPrecision.Bf16 ? 1e-4 : 1e-7, "masters");
        Assert.True(TensorAssert.Identical(fused.Master.to(ScalarType.BFloat16), fused.Model), "the model holds its master rounded to bf16");
        double tolerance = moments == MomentPrecision.Bf16 ? 2.0 / 128 : 1e-6;
        // A rounding difference carries over to later steps, where the moment may have shrunk: compare on the largest scale.
        foreach (var (what, expected, actual) in new[] { ("means", tensors.Mean, fused.Mean), ("squares", tensors.Square, fused.Square) })
        {
            var wanted = expected.to(ScalarType.Float32);
            TensorAssert.Close(wanted, actual.to(ScalarType.Float32), rtol: tolerance, atol: tolerance * wanted.abs().max().item<float>(), what);
        }
    }

    [Fact]
    public void Bf16_moments_decay_where_round_to_nearest_would_freeze_them()
    {
        // With zero gradients the mean square shrinks by β2 = 0.999 a step: 0.1%, under bf16's spacing (0.4-0.8%), so
        // rounding to nearest would keep it forever. Stochastic rounding follows 0.999^t on average.
        var settings = new AdamWSettings(Moments: MomentPrecision.Bf16, WeightDecay: 0);
        using var parameter = Parameter(zeros([100_000]).to(ScalarType.BFloat16), settings);
        parameter.Square.fill_(1.0);
        var gradient = zeros([100_000], ScalarType.BFloat16);
        for (int step = 1; step <= 200; step++)
            FusedAdamWKernel.Update(parameter, gradient, new AdamWStepScalars(settings, 1e-3, step, 1, 1, (ulong)step * 7919));
        double mean = parameter.Square.to(ScalarType.Float32).mean().item<float>();
        Assert.InRange(mean, Math.Pow(0.999, 200) * 0.995, Math.Pow(0.999, 200) * 1.005);
    }

    [Fact]
    public void Bf16_moments_halve_the_optimizer_state_and_resume_exactly()
    {
        using var generator = new Generator(0, CPU).manual_seed(2);
        var network = Network(generator, ScalarType.BFloat16);
        var inputs = randn([16, 8], generator: generator);
        var group = new TrainableGroup("all", network.named_parameters().Select(p => (p.name, p.parameter)).ToList());
        using var optimizer = new MasterWeightOptimizer([group], new AdamWSettings(Moments: MomentPrecision.Bf16));
        optimizer.Backward(Loss(network, inputs, ScalarType.BFloat16));
        optimizer.Step(0.01, 1.0);
        using var saved = new MemoryStream();
        optimizer.Save(new BinaryWriter(saved));

        var fp32State = new MemoryStream();
        using (var fp32 = new MasterWeightOptimizer([group], new AdamWSettings()))
            fp32.Save(new BinaryWriter(fp32State));
        // Two bf16 moments instead of two fp32 ones per parameter (the masters are the same).
        long parameters = network.parameters().Sum(p => p.numel());
        Assert.InRange(fp32State.Length - saved.Length, 4 * parameters, 4 * parameters + 1024);

        using var resumed = new MasterWeightOptimizer([group], new AdamWSettings(Moments: MomentPrecision.Bf16));
        saved.Position = 0;
        resumed.Load(new BinaryReader(saved));
        var beforeStep = network.parameters().Select(p => p.detach().clone()).ToList();
        optimizer.Backward(Loss(network, inputs, ScalarType.BFloat16));
        optimizer.Step(0.01, 1.0);
        var afterOriginal = optimizer.Masters.Select(m => m.Parameter.detach().clone()).ToList();
        using (no_grad()) foreach (var (p, value) in network.parameters().Zip(beforeStep)) p.copy_(value);
        resumed.Backward(Loss(network, inputs, ScalarType.BFloat16));
        resumed.Step(0.01, 1.0);
        foreach (var (expected, (name, actual)) in afterOriginal.Zip(resumed.Masters))
            Assert.True(TensorAssert.Identical(expected, actual), $"{name}: the resumed step differs");

        fp32State.Position = 0;
        var error = Assert.Throws<InvalidDataException>(() => resumed.Load(new BinaryReader(fp32State)));
        Assert.Contains("Fp32 moments", error.Message);
        var old = new MemoryStream([1, 2, 3]);
        Assert.Contains("older DiffusionTune", Assert.Throws<InvalidDataException>(() => resumed.Load(new BinaryReader(old))).Message);
    }

    static AdamWParameter Parameter(Tensor start, AdamWSettings settings)
    {
        var model = new Parameter(start.clone());
        var master = new Parameter(start.to(ScalarType.Float32));
        return new AdamWParameter("p", model, master, 0, settings.Moments);
    }

    static double Spacing(ScalarType dtype) => dtype switch { ScalarType.BFloat16 => 1.0 / 128, ScalarType.Float16 => 1.0 / 1024, _ => 1e-6 };

    static Sequential Network(Generator generator, ScalarType dtype)
    {
        var network = nn.Sequential(nn.Linear(8, 16), nn.GELU(), nn.Linear(16, 4));
        using (no_grad())
        {
            foreach (var parameter in network.parameters()) parameter.copy_(randn(parameter.shape, generator: generator) * 0.5);
        }
        network.to(dtype);
        return network;
    }

    static Tensor Loss(Sequential network, Tensor inputs, ScalarType dtype) =>
        network.call(inputs.to(dtype)).to(ScalarType.Float32).square().mean();
}
