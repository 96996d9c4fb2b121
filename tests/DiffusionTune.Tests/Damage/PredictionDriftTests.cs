using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Workflows.Adapters;
using static DiffusionTune.Tests.Adapters.AdapterTestData;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Damage;

/// <summary>The prediction drift of tuned models from their base, on the tiny random model.</summary>
public class PredictionDriftTests
{
    static readonly string[] Prompts = ["a cat", "a dog, a cat", ""];

    static readonly DriftSettings Settings = new() { Seeds = 2, Timesteps = [100, 600], BatchSize = 2 };

    static readonly string[] TinyBlocks = ["down_blocks.0", "down_blocks.1", "mid_block", "up_blocks.0", "up_blocks.1"];

    /// <summary>The tiny model saved once, so that every load of it is the same model (random initialisation draws from a generator other tests share).</summary>
    readonly string _model = RandomTinyModel.SaveDiffusers(seed: 3);

    StableDiffusionModel Load() => StableDiffusionModel.Load(_model);

    [Fact]
    public void A_model_against_an_identical_copy_drifts_exactly_zero_everywhere()
    {
        using var baseModel = Load();
        using var copy = Load();

        var drift = PredictionDriftMeter.Measure(baseModel, copy, Prompts, Settings);

        Assert.Equal(0, drift.Total.MeanSquaredError);
        Assert.All(drift.Timesteps, t => Assert.Equal(0, t.Drift.MeanSquaredError));
        Assert.All(drift.PerPrompt, p => Assert.Equal(0, p.Drift.MeanSquaredError));
        Assert.Equal(TinyBlocks, drift.Blocks.Select(b => b.Block));
        Assert.All(drift.Blocks, b => Assert.Equal(0, b.Drift.MeanSquaredError));
        // The base's own size is measured all the same: ε-predictions of about unit variance, non-zero activations.
        Assert.InRange(drift.Total.BaseMeanSquare, 0.01, 100);
        Assert.All(drift.Blocks, b => Assert.True(b.Drift.BaseMeanSquare > 0));
        Assert.Equal(0, drift.Total.Relative);
    }

    [Fact]
    public void A_lora_at_strength_zero_drifts_zero_and_at_strength_one_drifts_where_it_adapts()
    {
        var lora = WriteLora(AttentionOut);
        using var baseModel = Load();
        using (var off = AdaptedModel.Apply(Load(), new ModelAdapters { Loras = [new(lora, 0.0)] }, new RecordingReporter()))
        {
            var none = PredictionDriftMeter.Measure(baseModel, off.Model, Prompts, Settings);
            Assert.Equal(0, none.Total.MeanSquaredError);
            Assert.All(none.Blocks, b => Assert.Equal(0, b.Drift.MeanSquaredError));
        }

        using var on = AdaptedModel.Apply(Load(), new ModelAdapters { Loras = [new(lora, 1.0)] }, new RecordingReporter());
        var drift = PredictionDriftMeter.Measure(baseModel, on.Model, Prompts, Settings);

        Assert.True(drift.Total.MeanSquaredError > 0);
        Assert.All(drift.Timesteps, t => Assert.True(t.Drift.MeanSquaredError > 0));
        var blocks = drift.Blocks.ToDictionary(b => b.Block, b => b.Drift);
        // The LoRA adapts the mid block's attention: the blocks before it compute exactly what the base computes.
        Assert.Equal(0, blocks["down_blocks.0"].MeanSquaredError);
        Assert.Equal(0, blocks["down_blocks.1"].MeanSquaredError);
        Assert.True(blocks["mid_block"].Relative > 1e-6, $"mid block drift {blocks["mid_block"].Relative}");
        Assert.True(blocks["up_blocks.0"].MeanSquaredError > 0);
    }

    [Fact]
    public void An_embedding_changes_only_the_prompts_that_use_its_word_and_measuring_twice_gives_the_same_figures()
    {
        using var scratch = new ScratchFolder();
        manual_seed(9);
        // "cat" is a word of the tiny vocabulary: the embedding shadows it in the tuned model's prompts, as A1111 allows.
        SafetensorsWriter.Save(scratch.File("cat.safetensors"), [new("string_to_param.*", randn(1, 32))]);
        using var baseModel = Load();
        using var tuned = AdaptedModel.Apply(Load(), new ModelAdapters { Embeddings = scratch.File("cat.safetensors") }, new RecordingReporter());
        Assert.Equal("cat", Assert.Single(tuned.Embeddings).Name);

        var general = PredictionDriftMeter.Measure(baseModel, tuned.Model, ["a dog", ""], Settings);
        var concept = PredictionDriftMeter.Measure(baseModel, tuned.Model, ["a cat"], Settings);
        var again = PredictionDriftMeter.Measure(baseModel, tuned.Model, ["a cat"], Settings);

        Assert.Equal(0, general.Total.MeanSquaredError);
        Assert.True(concept.Total.MeanSquaredError > 0);
        Assert.Equal(concept.Total, again.Total);
        Assert.Equal(concept.Blocks.Select(b => b.Drift), again.Blocks.Select(b => b.Drift));
    }

    [Fact]
    public void Timesteps_outside_the_schedule_and_an_empty_prompt_list_are_refused()
    {
        using var model = RandomTinyModel.Create();
        using var other = RandomTinyModel.Create();
        var error = Assert.Throws<ArgumentException>(() => PredictionDriftMeter.Measure(model, other, Prompts, Settings with { Timesteps = [500, 1000] }));
        Assert.Contains("timestep 1000 is outside the model's schedule (0 … 999)", error.Message);
        Assert.Throws<ArgumentException>(() => PredictionDriftMeter.Measure(model, other, [], Settings));
    }

    [Fact]
    public void A_model_that_predicts_nan_is_an_error_naming_it_the_prompt_and_the_timestep_never_a_nan_figure()
    {
        using var baseModel = Load();
        using var tuned = Load();
        using (no_grad())
            tuned.Unet.state_dict()["conv_out.bias"][2] = float.NaN;

        var error = Assert.Throws<InvalidDataException>(() => PredictionDriftMeter.Measure(baseModel, tuned, Prompts, Settings));
        Assert.Equal($"{tuned.SourcePath}: the tuned model (with its adapters) predicts NaN/Inf noise for the prompt 'a cat' at timestep 100, so its drift cannot be measured",
            error.Message);
        error = Assert.Throws<InvalidDataException>(() => PredictionDriftMeter.Measure(tuned, baseModel, Prompts, Settings));
        Assert.StartsWith($"{tuned.SourcePath}: the base model predicts NaN/Inf noise", error.Message);
    }

    [Fact]
    public void A_relative_drift_over_an_all_zero_base_is_an_error_naming_the_figure_never_an_infinite_percentage()
    {
        using var baseModel = Load();
        using var tuned = Load();
        using (no_grad())
        {
            baseModel.Unet.state_dict()["conv_out.weight"].zero_();
            baseModel.Unet.state_dict()["conv_out.bias"].zero_();
        }

        var error = Assert.Throws<InvalidDataException>(() => PredictionDriftMeter.Measure(baseModel, tuned, Prompts, Settings));
        Assert.Matches(@"^the drift of the noise predictions is not a finite number \(mean squared difference [0-9.E+-]+, base mean square 0\): ", error.Message);
    }

    /// <summary>A kohya LoRA file adapting the tiny model's layer <paramref name="target"/>.</summary>
    static string WriteLora(string target)
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        using var adapter = RandomLowRank(UNetLayer(layers, target), 4, 4);
        var path = Path.Combine(TestPaths.TempFolder(), "mid.safetensors");
        KohyaLoraWriter.Save(path, [adapter], new KohyaLoraMetadata());
        return path;
    }
}
