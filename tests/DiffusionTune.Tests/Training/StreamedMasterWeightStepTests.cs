using DiffusionTune.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Training;

/// <summary>
/// The master-weight optimizer streams its update through the parameters in chunks (to bound memory); the result must
/// be bit for bit that of widening every gradient, <c>clip_grad_norm_</c> over all of them and one AdamW step.
/// </summary>
public class StreamedMasterWeightStepTests
{
    [Theory]
    [InlineData(0.05, 1)]          // clipped, every parameter its own chunk
    [InlineData(0.05, 100)]        // clipped, chunks of several parameters
    [InlineData(null, 1)]          // no clipping
    [InlineData(1e6, 1)]           // a bound the norm never reaches
    public void Streaming_the_step_in_chunks_matches_one_step_over_all_fp32_gradients(double? maxGradNorm, long chunkElements)
    {
        using var generator = new Generator(0, CPU).manual_seed(3);
        var inputs = randn([16, 8], generator: generator);
        var streamed = Network(generator.manual_seed(5));
        var reference = Network(generator.manual_seed(5));
        var settings = new AdamWSettings();
        using var optimizer = new MasterWeightOptimizer(
            [new TrainableGroup("all", streamed.named_parameters().Select(p => (p.name, p.parameter)).ToList())], settings,
            gradientChunkElements: chunkElements);
        var masters = reference.parameters().Select(p => new Parameter(p.detach().to(ScalarType.Float32, copy: true))).ToList();
        using var adam = optim.AdamW(masters, lr: 0.01, beta1: settings.Beta1, beta2: settings.Beta2, eps: settings.Epsilon, weight_decay: settings.WeightDecay);

        for (int step = 0; step < 5; step++)
        {
            using var scope = NewDisposeScope();
            Loss(streamed, inputs).backward();
            double norm = optimizer.Step(0.01, maxGradNorm).GradientNorm;
            Assert.All(streamed.parameters(), p => Assert.Null(p.grad));

            Loss(reference, inputs).backward();
            foreach (var (model, master) in reference.parameters().Zip(masters))
            {
                master.grad = model.grad!.to(ScalarType.Float32, copy: true).DetachFromDisposeScope();
                model.grad = null;
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
            Assert.Equal(referenceNorm, norm);
        }
        foreach (var ((name, master), expected) in optimizer.Masters.Zip(masters))
            Assert.True(TensorAssert.Identical(expected, master), $"{name} differs from the one-step reference");
    }

    static Sequential Network(Generator generator)
    {
        var network = nn.Sequential(nn.Linear(8, 16), nn.GELU(), nn.Linear(16, 4));
        using (no_grad())
        {
            foreach (var parameter in network.parameters()) parameter.copy_(randn(parameter.shape, generator: generator) * 0.5);
        }
        network.to(ScalarType.BFloat16);
        return network;
    }

    static Tensor Loss(Sequential network, Tensor inputs) =>
        network.call(inputs.to(ScalarType.BFloat16)).to(ScalarType.Float32).square().mean();
}
