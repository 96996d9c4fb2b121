using DiffusionTune.Models.Adapters;
using DiffusionTune.Models.Unet;
using DiffusionTune.Tests.Pipelines;
using static DiffusionTune.Tests.Adapters.HypernetworkTestData;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Adapters;

/// <summary>Hypernetworks applied to the UNet's attention contexts at generation time.</summary>
public class HypernetworkHooksTests
{
    /// <summary>The UNet's prediction for fixed inputs (from a private generator: tests run in parallel).</summary>
    static Tensor Predict(UNet2DConditionModel unet)
    {
        using var _ = no_grad();
        using var random = new Generator(0, CPU).manual_seed(3);
        return unet.call(randn([1, 4, 8, 8], generator: random), tensor(new long[] { 500 }), randn([1, 77, 32], generator: random));
    }

    static Tensor PredictWith(UNet2DConditionModel unet, params WeightedHypernetwork[] networks)
    {
        using var hooks = HypernetworkHooks.Attach(unet, networks);
        return Predict(unet);
    }

    [Fact]
    public void A_zero_hypernetwork_or_strength_zero_leaves_the_output_bit_identical_and_hooks_come_off()
    {
        using var scratch = new ScratchFolder();
        using var model = RandomTinyModel.Create();
        using var zero = Write(scratch.File("zero.safetensors"), Tensors(0, seed: 1, 32, 64));
        using var random = Write(scratch.File("random.safetensors"), Tensors(0.5, seed: 2, 32, 64));
        using var baseline = Predict(model.Unet);

        using (var hooks = HypernetworkHooks.Attach(model.Unet, [new(zero, 1.0)]))
        {
            // Every to_k and to_v of the tiny UNet takes a 32- (text) or 64-wide (self-attention) context.
            Assert.Equal(new[] { 32, 64 }, hooks.ContextWidths.Order());
            Assert.True(hooks.HookedProjections > 0);
            using var zeroOutput = Predict(model.Unet);
            Assert.True(TensorAssert.Identical(baseline, zeroOutput));
        }
        using var strengthZero = PredictWith(model.Unet, new WeightedHypernetwork(random, 0.0));
        Assert.True(TensorAssert.Identical(baseline, strengthZero));
        using var applied = PredictWith(model.Unet, new WeightedHypernetwork(random, 1.0));
        Assert.False(TensorAssert.Identical(baseline, applied));
        using var after = Predict(model.Unet);
        Assert.True(TensorAssert.Identical(baseline, after));
    }

    [Fact]
    public void Strength_scales_the_MLP_output_as_in_A1111s_x_plus_mlp_times_strength()
    {
        using var scratch = new ScratchFolder();
        using var model = RandomTinyModel.Create();
        var tensors = Tensors(0.3, seed: 4, 32);
        using var network = Write(scratch.File("full.safetensors"), tensors);
        // Halving the last Linear halves the MLP's output: the same as strength 0.5.
        foreach (var key in tensors.Keys.Where(k => k.Contains(".linear.2.")).ToList()) tensors[key] = tensors[key] * 0.5;
        using var halved = Write(scratch.File("halved.safetensors"), tensors);

        using var atHalfStrength = PredictWith(model.Unet, new WeightedHypernetwork(network, 0.5));
        using var halvedAtFull = PredictWith(model.Unet, new WeightedHypernetwork(halved, 1.0));
        using var full = PredictWith(model.Unet, new WeightedHypernetwork(network, 1.0));
        TensorAssert.Close(halvedAtFull, atHalfStrength, rtol: 1e-5, atol: 1e-6, "strength 0.5 vs halved last layer");
        Assert.False(TensorAssert.Identical(full, atHalfStrength));
    }
}
