using System.Diagnostics;
using DiffusionTune.Models.Training;
using DiffusionTune.Models.Unet;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Models;

[Collection(nameof(ProcessMemoryCollection))]
public class GradientCheckpointingTests
{
    const long Batch = 2;

    /// <summary>Projections that get a LoRA-like hook: a cross-attention in a down block, the mid block and an up block's self-attention.</summary>
    static readonly string[] LoraTargets =
    [
        "down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_q",
        "mid_block.attentions.0.transformer_blocks.0.attn2.to_k",
        "up_blocks.0.attentions.1.transformer_blocks.0.attn1.to_v",
    ];

    [Fact]
    public void Fp32_loss_and_every_gradient_match_the_uncheckpointed_step()
    {
        using var scope = NewDisposeScope();
        using var model = TinyTrainableModel();
        var (unet, textEncoder) = model;
        var batch = TinyBatch(size: 8, ScalarType.Float32);
        Assert.False(unet.GradientCheckpointing);

        var plain = Step(unet, textEncoder, batch, checkpointing: false);
        var checkpointed = Step(unet, textEncoder, batch, checkpointing: true);

        Assert.Equal(plain.Loss, checkpointed.Loss, 1e-6 * Math.Abs(plain.Loss));
        AssertSameGradients(plain.Gradients, checkpointed.Gradients, rtol: 1e-6);
        Assert.Contains("latents", plain.Gradients.Keys);
        Assert.Contains("text_encoder.weight", plain.Gradients.Keys);
        Assert.Equal(unet.parameters().Count() + 3, plain.Gradients.Count);
    }

    [Fact]
    public void Lora_weights_added_by_hooks_to_a_frozen_unet_get_the_same_gradients()
    {
        using var scope = NewDisposeScope();
        using var model = TinyTrainableModel();
        var unet = model.Unet;
        foreach (var parameter in unet.parameters()) parameter.requires_grad = false;
        var adapters = AttachLoraHooks(unet);
        var batch = TinyBatch(size: 8, ScalarType.Float32);
        var context = randn(Batch, 5, 32);

        Dictionary<string, Tensor> LoraStep(bool checkpointing)
        {
            unet.GradientCheckpointing = checkpointing;
            foreach (var adapter in adapters) adapter.Module.zero_grad();
            var prediction = unet.call(batch.Latents, batch.Timesteps, context);
            (prediction - batch.Target).square().mean().backward();
            return adapters
                .SelectMany(a => a.Module.named_parameters().Select(p => ($"{a.Target}.{p.name}", p.parameter.grad!.clone())))
                .ToDictionary(p => p.Item1, p => p.Item2);
        }

        var plain = LoraStep(checkpointing: false);
        var callsBefore = adapters.Sum(a => a.Calls);
        var checkpointed = LoraStep(checkpointing: true);

        Assert.Equal(adapters.Length * 2, plain.Count);
        AssertSameGradients(plain, checkpointed, rtol: 1e-6);
        Assert.All(plain.Values, gradient => Assert.True(gradient.abs().max().item<float>() > 0));
        // Every hooked projection ran again while backward recomputed its block.
        Assert.Equal(2 * callsBefore, adapters.Sum(a => a.Calls) - callsBefore);
        foreach (var adapter in adapters) adapter.RemoveHook();
    }

    [Fact]
    public void Bf16_loss_and_gradients_match_the_uncheckpointed_step()
    {
        using var scope = NewDisposeScope();
        using var model = TinyTrainableModel();
        var (unet, textEncoder) = model;
        unet.to(ScalarType.BFloat16);
        textEncoder.to(ScalarType.BFloat16);
        var batch = TinyBatch(size: 8, ScalarType.BFloat16);

        var plain = Step(unet, textEncoder, batch, checkpointing: false);
        var checkpointed = Step(unet, textEncoder, batch, checkpointing: true);

        Assert.Equal(plain.Loss, checkpointed.Loss, 1e-6 * Math.Abs(plain.Loss));
        Assert.All(checkpointed.Gradients.Values, gradient => Assert.Equal(ScalarType.BFloat16, gradient.dtype));
        // Gradients summed over several blocks (time embedding, text conditioning) may round differently in bf16.
        AssertSameGradients(plain.Gradients, checkpointed.Gradients, rtol: 2e-2);
    }

    [Fact]
    public void Eval_mode_and_no_grad_forwards_do_not_recompute()
    {
        using var scope = NewDisposeScope();
        using var model = TinyTrainableModel();
        var unet = model.Unet;
        var adapters = AttachLoraHooks(unet);
        var batch = TinyBatch(size: 8, ScalarType.Float32);
        var context = randn(Batch, 5, 32);
        unet.GradientCheckpointing = true;

        unet.eval();
        var evalOutput = unet.call(batch.Latents, batch.Timesteps, context);
        Assert.True(evalOutput.requires_grad);
        evalOutput.sum().backward();
        unet.train();
        using (no_grad()) Assert.False(unet.call(batch.Latents, batch.Timesteps, context).requires_grad);

        Assert.Equal(2 * adapters.Length, adapters.Sum(a => a.Calls));
        foreach (var adapter in adapters) adapter.RemoveHook();
    }

    [Fact]
    public void Outputs_left_out_of_the_loss_and_inputs_without_grad_are_handled()
    {
        using var scope = NewDisposeScope();
        var weight = nn.Parameter(randn(4, 4));
        var trained = randn(3, 4).requires_grad_();
        var frozen = randn(3, 4);

        (trained.matmul(weight).tanh() * frozen).sum().backward();
        var expectedWeightGradient = weight.grad!.clone();
        var expectedInputGradient = trained.grad!.clone();
        weight.grad = null;
        trained.grad = null;

        // The second output takes no part in the loss, so backward gets no gradient for it.
        var outputs = GradientCheckpoint.Run(inputs => [inputs[0].matmul(weight).tanh() * inputs[1], inputs[1].exp()], trained, frozen);
        outputs[0].sum().backward();

        TensorAssert.Close(expectedWeightGradient, weight.grad!, rtol: 1e-6, atol: 1e-7, "weight");
        TensorAssert.Close(expectedInputGradient, trained.grad!, rtol: 1e-6, atol: 1e-7, "input");
        Assert.Null(frozen.grad);
    }

    [Fact]
    public void Many_checkpointed_steps_leave_no_tensors_or_native_memory_behind()
    {
        using var model = TinyTrainableModel();
        var (unet, textEncoder) = model;
        using var batch = TinyBatch(size: 16, ScalarType.Float32);
        void OneStep()
        {
            using var stepScope = NewDisposeScope();
            Step(unet, textEncoder, batch, checkpointing: true);
        }

        for (int i = 0; i < 3; i++) OneStep();
        long liveTensors = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        const int Steps = 10;
        // Two windows: a leak grows in both, while what a young process still adds once (the JIT recompiling hot
        // methods, allocator pools filling) shows in the first at most.
        long residentBefore = ResidentBytes();
        for (int i = 0; i < Steps; i++) OneStep();
        long firstGrowth = ResidentBytes() - residentBefore;
        residentBefore = ResidentBytes();
        for (int i = 0; i < Steps; i++) OneStep();
        long growth = ResidentBytes() - residentBefore;

        Assert.Equal(liveTensors, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        // One step's activations are several MiB; keeping any of them every step would add up past this.
        Assert.True(growth < 8L << 20, $"resident memory grew by {growth / (1 << 20)} MiB over {Steps} steps (by {firstGrowth / (1 << 20)} MiB over the {Steps} before)");
    }

    static long ResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>A tiny SD-shaped UNet in training mode, and a linear layer standing in for a text encoder that trains.</summary>
    sealed record TinyModel(UNet2DConditionModel Unet, Linear TextEncoder) : IDisposable
    {
        public void Dispose()
        {
            Unet.Dispose();
            TextEncoder.Dispose();
        }
    }

    static TinyModel TinyTrainableModel()
    {
        manual_seed(7);
        var unet = new UNet2DConditionModel(Pipelines.RandomTinyModel.UnetConfig);
        unet.train();
        return new TinyModel(unet, nn.Linear(16, 32));
    }

    sealed record TrainingBatch(Tensor Latents, Tensor Timesteps, Tensor Tokens, Tensor Target) : IDisposable
    {
        public void Dispose()
        {
            foreach (var tensor in new[] { Latents, Timesteps, Tokens, Target }) tensor.Dispose();
        }
    }

    static TrainingBatch TinyBatch(long size, ScalarType dtype)
    {
        manual_seed(11);
        return new TrainingBatch(
            randn(Batch, 4, size, size).to(dtype),
            tensor(new long[] { 10, 700 }),
            randn(Batch, 5, 16).to(dtype),
            randn(Batch, 4, size, size).to(dtype));
    }

    sealed record StepResult(double Loss, Dictionary<string, Tensor> Gradients);

    /// <summary>
    /// One training step with the latents and the text encoder trainable; returns the loss and copies of every
    /// gradient (UNet parameters by name, the text encoder's as <c>text_encoder.*</c>, and the latents').
    /// </summary>
    static StepResult Step(UNet2DConditionModel unet, Linear textEncoder, TrainingBatch batch, bool checkpointing)
    {
        unet.GradientCheckpointing = checkpointing;
        unet.zero_grad();
        textEncoder.zero_grad();
        var latents = batch.Latents.detach().requires_grad_();
        var context = textEncoder.call(batch.Tokens);
        var prediction = unet.call(latents, batch.Timesteps, context);
        var loss = (prediction - batch.Target).square().mean();
        loss.backward();

        var gradients = new Dictionary<string, Tensor> { ["latents"] = latents.grad!.clone() };
        foreach (var (name, parameter) in unet.named_parameters()) gradients[name] = parameter.grad!.clone();
        foreach (var (name, parameter) in textEncoder.named_parameters()) gradients[$"text_encoder.{name}"] = parameter.grad!.clone();
        return new StepResult(loss.to(ScalarType.Float64).item<double>(), gradients);
    }

    /// <summary>
    /// Elementwise <c>|actual - expected| &lt;= rtol·|expected| + rtol·(largest gradient anywhere)</c>. The absolute
    /// part covers gradients that are zero up to rounding (a bias followed by a one-channel-per-group GroupNorm).
    /// </summary>
    static void AssertSameGradients(Dictionary<string, Tensor> expected, Dictionary<string, Tensor> actual, double rtol)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        double largest = expected.Values.Max(gradient => gradient.abs().max().to(ScalarType.Float64).item<double>());
        foreach (var (name, gradient) in expected)
            TensorAssert.Close(gradient, actual[name], rtol, atol: rtol * largest, name);
    }

    /// <summary>A trainable low-rank term added to a frozen projection's output by a forward hook, as LoRA trainers do.</summary>
    sealed class LoraAdapter(string target, Linear projection)
    {
        readonly Sequential _lowRank = nn.Sequential(
            nn.Linear(projection.in_features, 4, hasBias: false),
            nn.Linear(4, projection.out_features, hasBias: false));
        Action? _removeHook;

        public string Target { get; } = target;
        public nn.Module Module => _lowRank;
        public int Calls { get; private set; }

        public void AttachHook() => _removeHook = projection.register_forward_hook((_, input, output) =>
        {
            Calls++;
            return output + _lowRank.call(input);
        }).remove;

        public void RemoveHook() => _removeHook?.Invoke();
    }

    static LoraAdapter[] AttachLoraHooks(UNet2DConditionModel unet)
    {
        var modules = unet.named_modules().ToDictionary(m => m.name, m => m.module);
        var adapters = LoraTargets.Select(target => new LoraAdapter(target, (Linear)modules[target])).ToArray();
        foreach (var adapter in adapters) adapter.AttachHook();
        return adapters;
    }
}
