using DiffusionTune.Diffusion.Calibration;
using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Models.Merging;

namespace DiffusionTune.Tests.Damage;

/// <summary>The plain sentences that end <c>damage</c> and <c>calibrate</c>: which one at which figures, with figures rounded to what they can say.</summary>
public class DriftVerdictTests
{
    [Theory]
    [InlineData(0.01, 0.009, "The fine-tune changed the concept prompts 0.9× as much as everything else: it learned a general change, not the concept (a lower learning rate, fewer steps or prior preservation keep it to the trigger).")]
    [InlineData(0.01, 0.0149, "The fine-tune changed the concept prompts 1.5× as much as everything else: it learned a general change, not the concept (a lower learning rate, fewer steps or prior preservation keep it to the trigger).")]
    [InlineData(0.01, 0.015, "The fine-tune changed the concept prompts 1.5× as much as everything else: it learned the concept, but also changed other prompts noticeably (`calibrate` can give some of that back).")]
    [InlineData(0.01, 0.0299, "The fine-tune changed the concept prompts 3× as much as everything else: it learned the concept, but also changed other prompts noticeably (`calibrate` can give some of that back).")]
    [InlineData(0.001, 0.0123456, "The fine-tune changed the concept prompts 12× as much as everything else: it learned mostly the concept.")]
    [InlineData(0, 0.2, "The fine-tune changed the concept prompts and left the general prompts exactly as they were: a fully targeted change.")]
    [InlineData(0, 0, "The fine-tune draws exactly as the base model on every prompt: it learned nothing.")]
    public void Damage_says_whether_the_fine_tune_learned_its_concept_or_a_general_change(double general, double concept, string sentence) =>
        Assert.Equal(sentence, DriftVerdict.For(general, concept));

    [Fact]
    public void Damage_without_concept_prompts_gives_the_general_drift_and_how_to_learn_more()
    {
        Assert.Equal("The fine-tune moved the base model's predictions by 0.46% on general prompts; give --concept-prompt to see whether it changed its concept more than everything else.",
            DriftVerdict.For(0.004567, null));
        Assert.Equal("The fine-tune draws exactly as the base model: it changed nothing.", DriftVerdict.For(0, null));
    }

    static CalibrationResult Calibrated(double fidelity, double tunedDrift = 0.02) =>
        new([], new CalibrationPoint(BlockWeights.Uniform(0.5), CalibrationPhase.Global, 0.005, fidelity), 0.005,
            new CalibrationPoint(BlockWeights.Uniform(1), CalibrationPhase.Global, tunedDrift, 1));

    [Theory]
    [InlineData(0.95, "The calibrated model keeps most (95% of the fine-tune's change on the concept prompts) with general drift 2% → 0.5%; that is measured on noise predictions, so look at a few images to confirm.")]
    [InlineData(0.9, "The calibrated model keeps most (90% of the fine-tune's change on the concept prompts) with general drift 2% → 0.5%; that is measured on noise predictions, so look at a few images to confirm.")]
    [InlineData(0.6234, "The calibrated model keeps about 62% of the fine-tune's change on the concept prompts with general drift 2% → 0.5%: part of the concept is lost; compare images before using it.")]
    [InlineData(0.3, "The calibrated model keeps only 30% of the fine-tune's change on the concept prompts with general drift 2% → 0.5%: most of the concept is gone; a looser --budget, or a fine-tune that changes less elsewhere, keeps more.")]
    [InlineData(0.04, "The calibrated model keeps almost none (4% of the fine-tune's change on the concept prompts) with general drift 2% → 0.5%: at this budget the concept is gone; loosen --budget or retrain with less drift.")]
    public void Calibrate_says_how_much_of_the_concept_is_left_without_overselling_it(double fidelity, string sentence) =>
        Assert.Equal(sentence, CalibrationVerdict.For(Calibrated(fidelity)));

    [Fact]
    public void Calibrate_says_when_there_was_nothing_to_give_back() =>
        Assert.Equal("The fine-tune already keeps within the budget (0.3% general drift): nothing to give back, use it as it is.",
            CalibrationVerdict.For(Calibrated(1, tunedDrift: 0.003)));
}
