using System.Text.RegularExpressions;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Adapters;
using static DiffusionTune.Tests.Adapters.AdapterTestData;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Adapters;

/// <summary>Merging into the weights and hooking at run time are two ways to the same model.</summary>
public class AdapterApplicationTests
{
    [Fact]
    public void Merged_and_hooked_adapters_give_the_same_unet_output_and_unmerge_restores_every_bit()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        using var probe = new UNetProbe();
        using var adapters = new LayerSet(MixedAdapters(layers));
        using var baseOutput = probe.Run(model);
        var baseWeights = Snapshot(model);

        Tensor hooked;
        using (var hooks = LoraHooks.Attach(layers, adapters.Layers, strength: 0.7))
        {
            Assert.Equal(adapters.Layers.Count, hooks.LayerCount);
            hooked = probe.Run(model);
        }
        using (var afterHooks = probe.Run(model))
            Assert.True(TensorAssert.Identical(baseOutput, afterHooks), "removing the hooks did not restore the output");

        using (var merge = MergedLoras.Merge(layers, [new WeightedLora(adapters.Layers, 0.7)]))
        {
            Assert.Equal(adapters.Layers.Count, merge.LayerCount);
            using var merged = probe.Run(model);
            Assert.False(TensorAssert.Identical(baseOutput, merged), "the adapters changed nothing");
            TensorAssert.Close(merged, hooked, rtol: 1e-4, atol: 1e-5, "hooked vs merged UNet output");
            merge.Unmerge();
        }
        AssertWeightsIdentical(baseWeights, model);
        using (var restored = probe.Run(model))
            Assert.True(TensorAssert.Identical(baseOutput, restored));
        hooked.Dispose();
    }

    [Fact]
    public void Strength_zero_leaves_the_model_bit_for_bit()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        using var probe = new UNetProbe();
        using var adapters = new LayerSet(MixedAdapters(layers));
        using var baseOutput = probe.Run(model);
        var baseWeights = Snapshot(model);

        using (MergedLoras.Merge(layers, [new WeightedLora(adapters.Layers, 0)], restorable: false))
            AssertWeightsIdentical(baseWeights, model);
        using var hooks = LoraHooks.Attach(layers, adapters.Layers, strength: 0);
        using (var hookedAtZero = probe.Run(model))
            Assert.True(TensorAssert.Identical(baseOutput, hookedAtZero));

        // The strength is read on every pass: raising it changes the output without reattaching.
        hooks.Strength = 0.5;
        using var hookedAtHalf = probe.Run(model);
        Assert.False(TensorAssert.Identical(baseOutput, hookedAtHalf));
    }

    [Fact]
    public void Several_adapters_stack_with_their_own_strengths()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        using var probe = new UNetProbe();
        using var first = new LayerSet(
        [
            RandomLowRank(UNetLayer(layers, SelfAttentionQuery), 4, 2),
            RandomLowRank(UNetLayer(layers, ProjectIn), 2, 2),
        ]);
        using var second = new LayerSet(
        [
            RandomLowRank(UNetLayer(layers, SelfAttentionQuery), 3, 1),
            RandomLowRank(UNetLayer(layers, FeedForward), 4, 4),
        ]);

        Tensor hooked;
        using (LoraHooks.Attach(layers, first.Layers, 0.8))
        using (LoraHooks.Attach(layers, second.Layers, -0.5))
            hooked = probe.Run(model);

        var weight = model.Unet.state_dict()[SelfAttentionQuery + ".weight"].detach().clone();
        using (var merge = MergedLoras.Merge(layers, [new(first.Layers, 0.8), new(second.Layers, -0.5)]))
        {
            Assert.Equal(3, merge.LayerCount);
            using var expectedWeight = weight + first.Layers[0].Delta(0.8) + second.Layers[0].Delta(-0.5);
            TensorAssert.Close(expectedWeight, model.Unet.state_dict()[SelfAttentionQuery + ".weight"], 1e-6, 1e-7, "stacked to_q weight");
            using var merged = probe.Run(model);
            TensorAssert.Close(merged, hooked, rtol: 1e-4, atol: 1e-5, "two stacked adapters, hooked vs merged");
        }
        hooked.Dispose();
        weight.Dispose();
    }

    [Fact]
    public void Text_encoder_adapters_apply_alike_both_ways()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        using var adapters = new LayerSet(
        [
            RandomLowRank(TextLayer(layers, TextQuery), 4, 4),
            RandomLowRank(TextLayer(layers, TextFc1), 2, 1),
        ]);
        using var ids = tensor(new long[] { 0, 5, 9, 3, 1 }).reshape(1, 5);
        Tensor Encode()
        {
            using var _ = no_grad();
            return model.TextEncoder.call(ids);
        }

        using var baseline = Encode();
        Tensor hooked;
        using (LoraHooks.Attach(layers, adapters.Layers, 1.0))
            hooked = Encode();
        using (MergedLoras.Merge(layers, [new WeightedLora(adapters.Layers, 1.0)], restorable: false))
        {
            using var merged = Encode();
            Assert.False(TensorAssert.Identical(baseline, merged));
            TensorAssert.Close(merged, hooked, 1e-4, 1e-5, "text encoder, hooked vs merged");
        }
        hooked.Dispose();
    }

    [Fact]
    public void A_merge_that_overflows_is_refused_naming_the_layer_and_a_restorable_one_leaves_every_weight_as_it_was()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var baseWeights = Snapshot(model);
        // Finite factors, finite strengths: the first layer merges fine, the second overflows float32.
        using var adapters = new LayerSet(
        [
            RandomLowRank(UNetLayer(layers, SelfAttentionQuery), 4, 2),
            RandomLowRank(UNetLayer(layers, CrossAttentionKey), 4, 4),
        ]);
        var error = Assert.Throws<ArgumentException>(() => MergedLoras.Merge(layers,
        [
            new WeightedLora([adapters.Layers[0]], 0.5),
            new WeightedLora([adapters.Layers[1]], 1e300),
        ]));
        Assert.Matches($@"^merging LoRA into unet/{Regex.Escape(CrossAttentionKey)} at strength 1E\+300 gives \d+ non-finite weight value\(s\) \(NaN/Inf\) in Float32; is the strength too large\?$", error.Message);
        AssertWeightsIdentical(baseWeights, model);
    }

    /// <summary>One adapter of every kind on every kind of layer: LoRA on Linear and 1×1 conv, LoCon on 3×3 and strided convs, LoHa, LoKr, DoRA.</summary>
    static List<LoraLayer> MixedAdapters(AdaptableLayers layers)
    {
        var key = UNetLayer(layers, CrossAttentionKey);
        var downsampler = UNetLayer(layers, Downsampler);
        return
        [
            RandomLowRank(UNetLayer(layers, SelfAttentionQuery), 4, 2),
            RandomLowRank(UNetLayer(layers, ProjectIn), 3, 3),
            RandomLowRank(UNetLayer(layers, ResnetConv), 2, 1),
            RandomLowRank(downsampler, 2, 2),
            new LohaLayer(UNetLayer(layers, FeedForward), Noise(512, 2), Noise(2, 64), Noise(512, 2), Noise(2, 64), alpha: 1),
            new LokrLayer(UNetLayer(layers, AttentionOut), Noise(8, 8), null, null, null, Noise(8, 2), Noise(2, 8), alpha: 1),
            new LowRankLayer(key, Noise(4, 32), Noise(64, 4), 4, new DoraMagnitude((rand(64, 1) + 0.5).DetachFromDisposeScope(), key)),
        ];
    }

    static Dictionary<string, Tensor> Snapshot(StableDiffusionModel model) =>
        model.Unet.state_dict().Concat(model.TextEncoder.state_dict().Select(p => KeyValuePair.Create("te/" + p.Key, p.Value)))
            .ToDictionary(p => p.Key, p => p.Value.detach().clone());

    static void AssertWeightsIdentical(Dictionary<string, Tensor> expected, StableDiffusionModel model)
    {
        var actual = Snapshot(model);
        foreach (var (name, tensor) in expected)
            Assert.True(TensorAssert.Identical(tensor, actual[name]), $"{name} differs from the original");
    }

    /// <summary>Disposes a list of adapter layers.</summary>
    sealed class LayerSet(IEnumerable<LoraLayer> layers) : IDisposable
    {
        public IReadOnlyList<LoraLayer> Layers { get; } = layers.ToList();

        public void Dispose()
        {
            foreach (var layer in Layers) layer.Dispose();
        }
    }
}
