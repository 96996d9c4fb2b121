using DiffusionTune.Diffusion.Calibration;
using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Diffusion.Merging;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Models.Merging;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Workflows.Adapters;
using static DiffusionTune.Tests.Adapters.AdapterTestData;

namespace DiffusionTune.Tests.Calibration;

/// <summary>Scoring candidates between a tiny base model and a LoRA fine-tune of it.</summary>
public class CalibrationProbeTests
{
    static readonly string[] General = ["a dog", "a red cat", ""];
    static readonly string[] Concept = ["a cat"];
    static readonly DriftSettings Settings = new() { Seeds = 1, Timesteps = [200, 700], BatchSize = 2 };

    readonly string _model = RandomTinyModel.SaveDiffusers(seed: 5);

    [Fact]
    public void The_base_scores_no_drift_and_no_fidelity_the_tuned_model_full_fidelity_and_the_damage_meters_drift()
    {
        var lora = WriteKohyaLora("probe.safetensors", [(AttentionOut, 4), (CrossAttentionKey, 4)]);
        using var baseModel = StableDiffusionModel.Load(_model);
        using var tuned = AdaptedModel.Apply(StableDiffusionModel.Load(_model), new ModelAdapters { Loras = [new(lora, 1)] }, new RecordingReporter());
        using var probe = CalibrationProbe.Create(baseModel, tuned.Model, General, Concept, Settings);

        var atBase = probe.Score(baseModel);
        var atTuned = probe.Score(tuned.Model);

        Assert.Equal((0.0, 0.0), atBase);
        Assert.Equal(1.0, atTuned.ConceptFidelity);
        var meter = PredictionDriftMeter.Measure(baseModel, tuned.Model, General, Settings);
        Assert.True(meter.Total.Relative > 0);
        Assert.Equal(meter.Total.Relative, atTuned.GeneralDrift, meter.Total.Relative * 1e-9);
        Assert.Equal(atTuned.GeneralDrift, probe.TunedGeneralDrift);
    }

    [Fact]
    public void Fidelity_and_drift_grow_with_the_interpolation_strength()
    {
        var lora = WriteKohyaLora("probe-steps.safetensors", [(AttentionOut, 4), (FeedForward, 4)]);
        using var baseModel = StableDiffusionModel.Load(_model);
        using var tuned = AdaptedModel.Apply(StableDiffusionModel.Load(_model), new ModelAdapters { Loras = [new(lora, 1)] }, new RecordingReporter());
        using var candidate = StableDiffusionModel.Load(_model);
        using var probe = CalibrationProbe.Create(baseModel, tuned.Model, General, Concept, Settings);

        var scores = new[] { 0.25, 0.5, 0.75 }.Select(alpha =>
        {
            CheckpointInterpolation.Interpolate(baseModel, tuned.Model, BlockWeights.Uniform(alpha), candidate);
            return probe.Score(candidate);
        }).ToList();

        Assert.True(scores.Zip(scores.Skip(1)).All(pair => pair.First.GeneralDrift < pair.Second.GeneralDrift && pair.First.ConceptFidelity < pair.Second.ConceptFidelity),
            string.Join("; ", scores));
        Assert.All(scores, s => Assert.InRange(s.ConceptFidelity, 0, 1));
    }

    [Fact]
    public void A_fine_tune_that_changed_nothing_on_the_concept_prompts_is_refused()
    {
        using var baseModel = StableDiffusionModel.Load(_model);
        using var copy = StableDiffusionModel.Load(_model);

        var error = Assert.Throws<ArgumentException>(() => CalibrationProbe.Create(baseModel, copy, General, Concept, Settings));
        Assert.Contains("no concept to keep", error.Message);
        Assert.Throws<ArgumentException>(() => CalibrationProbe.Create(baseModel, copy, General, [], Settings));
    }
}
