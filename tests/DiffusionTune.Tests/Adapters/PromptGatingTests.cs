using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Workflows.Adapters;
using static DiffusionTune.Tests.Adapters.AdapterTestData;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Adapters;

/// <summary>
/// Prompt-gated LoRAs and hypernetworks on the tiny random model: prompts without the trigger get exactly the base
/// model's output, prompts with it the ungated adapter's, per batch row.
/// </summary>
public class PromptGatingTests
{
    const string Trigger = "sks";
    // Prompt weighting is left out: on the tiny random model its mean restoration can divide by a mean near 0.
    const string WithTrigger = "a sks cat";
    const string WithoutTrigger = "a dog that asks";

    /// <summary>The tiny model saved once, so that every load of it is the same model.</summary>
    readonly string _model = RandomTinyModel.SaveDiffusers(seed: 6);

    StableDiffusionModel Load() => StableDiffusionModel.Load(_model);

    AdaptedModel Adapted(ModelAdapters adapters) => AdaptedModel.Apply(Load(), adapters, new RecordingReporter());

    /// <summary>A kohya LoRA adapting UNet attention, a LoCon convolution and a text-encoder layer.</summary>
    static string WriteLora() => WriteKohyaLora("subject.safetensors",
        [(SelfAttentionQuery, 4), (CrossAttentionKey, 4), (AttentionOut, 4), (ResnetConv, 4), (TextQuery, 4)]);

    /// <summary>Guided generation (so the unconditional pass counts too) with a negative prompt.</summary>
    static Tensor Generate(StableDiffusionModel model, string prompt)
    {
        using var scope = NewDisposeScope();
        var images = new TextToImagePipeline(model).Generate(new GenerationRequest
        {
            Prompt = prompt,
            NegativePrompt = "blurry",
            Steps = 3,
            GuidanceScale = 5,
            Sampler = SamplerChoice.Parse("euler"),
            Seed = 7,
            Width = 32,
            Height = 32,
        });
        return scope.MoveToOuter(images);
    }

    static void AssertGatedLikeBaseAndUngated(StableDiffusionModel baseModel, StableDiffusionModel gated, StableDiffusionModel ungated)
    {
        using var baseOther = Generate(baseModel, WithoutTrigger);
        using var gatedOther = Generate(gated, WithoutTrigger);
        Assert.True(TensorAssert.Identical(baseOther, gatedOther), "a prompt without the trigger drifted from the base model");

        using var baseTriggered = Generate(baseModel, WithTrigger);
        using var gatedTriggered = Generate(gated, WithTrigger);
        using var ungatedTriggered = Generate(ungated, WithTrigger);
        Assert.False(TensorAssert.Identical(baseTriggered, ungatedTriggered), "the adapter changed nothing");
        TensorAssert.Close(ungatedTriggered, gatedTriggered, 1e-4, 1e-4, "gated vs ungated image of a trigger prompt");
    }

    [Fact]
    public void A_gated_lora_leaves_other_prompts_bit_identical_and_gives_trigger_prompts_the_ungated_image()
    {
        var lora = WriteLora();
        using var baseModel = Load();
        using var gated = Adapted(new ModelAdapters { Loras = [new(lora, 0.9, Trigger)] });
        using var ungated = Adapted(new ModelAdapters { Loras = [new(lora, 0.9)] });

        Assert.Equal(Trigger, Assert.Single(gated.Loras).Trigger);
        Assert.Null(Assert.Single(ungated.Loras).Trigger);
        AssertGatedLikeBaseAndUngated(baseModel, gated.Model, ungated.Model);
    }

    [Fact]
    public void A_gated_hypernetwork_leaves_other_prompts_bit_identical_and_gives_trigger_prompts_the_ungated_image()
    {
        using var scratch = new ScratchFolder();
        var path = scratch.File("style.safetensors");
        HypernetworkTestData.Write(path, HypernetworkTestData.Tensors(0.3, seed: 4, 32, 64)).Dispose();
        using var baseModel = Load();
        using var gated = Adapted(new ModelAdapters { Hypernetworks = [$"{path}:0.8@{Trigger}"] });
        using var ungated = Adapted(new ModelAdapters { Hypernetworks = [$"{path}:0.8"] });

        Assert.Equal(Trigger, Assert.Single(gated.Hypernetworks).Trigger);
        AssertGatedLikeBaseAndUngated(baseModel, gated.Model, ungated.Model);
    }

    [Fact]
    public void A_batch_mixing_trigger_and_other_prompts_matches_the_runs_of_each()
    {
        var lora = WriteLora();
        using var baseModel = Load();
        using var gated = Adapted(new ModelAdapters { Loras = [new(lora, 1.0, Trigger)] });
        using var ungated = Adapted(new ModelAdapters { Loras = [new(lora, 1.0)] });
        using var scope = NewDisposeScope();
        using var _ = inference_mode();

        string[] mixed = [WithTrigger, WithoutTrigger];
        var batch = Denoise(gated.Model, mixed, [7, 8]);

        // Same batch shape: the row without the trigger is the base model's to the bit.
        var baseBatch = Denoise(baseModel, mixed, [7, 8]);
        Assert.True(TensorAssert.Identical(baseBatch[1], batch[1]), "the other prompt's row drifted in a mixed batch");
        TensorAssert.Close(Denoise(ungated.Model, mixed, [7, 8])[0], batch[0], 1e-4, 1e-4, "trigger row vs the ungated LoRA");
        // Each prompt alone (batching itself rounds differently on the CPU).
        TensorAssert.Close(Denoise(gated.Model, [WithTrigger], [7])[0], batch[0], 1e-4, 1e-4, "trigger row vs its own run");
        TensorAssert.Close(Denoise(gated.Model, [WithoutTrigger], [8])[0], batch[1], 1e-4, 1e-4, "other row vs its own run");
    }

    /// <summary>Guided latents of one batch of <paramref name="prompts"/>, each with its own seed, gated by its own prompt.</summary>
    static Tensor Denoise(StableDiffusionModel model, string[] prompts, long[] seeds)
    {
        var encoder = new PromptEncoder(model.Tokenizer, model.TextEncoder, gates: model.Gates);
        var (positive, negative) = encoder.EncodePair(prompts, [.. prompts.Select(_ => "blurry")]);
        using var noise = new BatchNoiseSource(seeds);
        return new TextToImagePipeline(model).Denoise(positive, negative, 5, SamplerChoice.Parse("euler"), 3, [prompts.Length, 4, 8, 8], noise, prompts: prompts);
    }

    [Fact]
    public void Damage_of_a_gated_lora_is_exactly_zero_on_prompts_without_its_trigger()
    {
        var lora = WriteLora();
        using var baseModel = Load();
        using var gated = Adapted(new ModelAdapters { Loras = [new(lora, 1.0, Trigger)] });
        var settings = new DriftSettings { Seeds = 1, Timesteps = [200, 700], BatchSize = 2 };

        // Batches of two mix the trigger prompt with others.
        var drift = PredictionDriftMeter.Measure(baseModel, gated.Model, ["a dog", WithTrigger, WithoutTrigger, ""], settings);

        var perPrompt = drift.PerPrompt.ToDictionary(p => p.Prompt, p => p.Drift.MeanSquaredError);
        Assert.Equal(0, perPrompt["a dog"]);
        Assert.Equal(0, perPrompt[WithoutTrigger]);
        Assert.Equal(0, perPrompt[""]);
        Assert.True(perPrompt[WithTrigger] > 0, "the trigger prompt did not drift");
        var general = PredictionDriftMeter.Measure(baseModel, gated.Model, ["a dog", WithoutTrigger, ""], settings);
        Assert.Equal(0, general.Total.MeanSquaredError);
        Assert.All(general.Blocks, b => Assert.Equal(0, b.Drift.MeanSquaredError));
    }

    [Fact]
    public void A_gated_model_called_without_its_rows_prompts_refuses_instead_of_guessing()
    {
        var lora = WriteLora();
        using var gated = Adapted(new ModelAdapters { Loras = [new(lora, 1.0, Trigger)] });
        using var probe = new UNetProbe();

        var error = Assert.Throws<InvalidOperationException>(() => probe.Run(gated.Model).Dispose());
        Assert.Contains("'sks' ran outside a prompt-gated call", error.Message);
        Assert.Throws<ArgumentException>(() => gated.Model.Gates.Open(null));
        using (gated.Model.Gates.Open(["a", "b"]))
        {
            Assert.Throws<InvalidOperationException>(() => gated.Model.Gates.Open(["c"]));
            Assert.Contains("batch of 1 rows, but prompts were given for 2", Assert.Throws<InvalidOperationException>(() => probe.Run(gated.Model).Dispose()).Message);
        }
        using (gated.Model.Gates.Open([WithoutTrigger]))
            probe.Run(gated.Model).Dispose();
        // Closed again after the call: nothing carries over.
        Assert.Throws<InvalidOperationException>(() => probe.Run(gated.Model).Dispose());
    }
}
