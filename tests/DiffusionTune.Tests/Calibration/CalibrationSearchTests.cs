using DiffusionTune.Diffusion.Calibration;
using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Merging;

namespace DiffusionTune.Tests.Calibration;

/// <summary>
/// The strength search on a model whose drift and fidelity are known formulas: three UNet tensors in different blocks,
/// each moving the general predictions by <c>cost·α²</c> and keeping <c>share·(1 − (1 − α)²)</c> of the concept.
/// The output block carries most of the concept cheaply, the mid block costs most: a per-block search should find that.
/// </summary>
public class CalibrationSearchTests
{
    static readonly (string Tensor, double Cost, double Share)[] Parts =
    [
        ("down_blocks.0.attentions.0.proj_in.weight", 0.01, 0.2),
        ("mid_block.resnets.0.conv1.weight", 0.04, 0.1),
        ("up_blocks.1.attentions.0.proj_out.weight", 0.01, 0.7),
    ];

    static readonly double TunedDrift = Parts.Sum(p => p.Cost);

    static (double Drift, double Fidelity) Formula(Func<string, double> alphaOf)
    {
        double drift = 0, fidelity = 0;
        foreach (var (tensor, cost, share) in Parts)
        {
            double alpha = alphaOf(tensor);
            drift += cost * alpha * alpha;
            fidelity += share * (1 - (1 - alpha) * (1 - alpha));
        }
        return (drift, fidelity);
    }

    static CalibrationPoint Measure(BlockWeights weights, CalibrationPhase phase)
    {
        var (drift, fidelity) = Formula(name => weights.AlphaOf(ModelComponent.UNet, name));
        return new CalibrationPoint(weights, phase, drift, fidelity);
    }

    static CalibrationResult Search(double limit, CalibrationSettings? settings = null) =>
        CalibrationSearch.Run(Measure, limit, CalibrationKnob.For(textEncoderChanged: false), settings ?? new CalibrationSettings());

    /// <summary>The best fidelity within the limit over a 0.05 grid of the three blocks' α: what a search can hope for.</summary>
    static double GridOptimum(double limit)
    {
        var steps = Enumerable.Range(0, 21).Select(i => i / 20.0).ToArray();
        double best = 0;
        foreach (var a in steps)
        foreach (var b in steps)
        foreach (var c in steps)
        {
            double[] alphas = [a, b, c];
            var (drift, fidelity) = Formula(name => alphas[Array.FindIndex(Parts, p => p.Tensor == name)]);
            if (drift <= limit) best = Math.Max(best, fidelity);
        }
        return best;
    }

    [Fact]
    public void The_per_block_search_beats_the_best_global_alpha_and_comes_close_to_the_optimum_within_the_limit()
    {
        double limit = 0.25 * TunedDrift;

        var result = Search(limit);

        var global = result.Points.Where(p => p.Phase == CalibrationPhase.Global).ToList();
        Assert.Equal(Enumerable.Range(0, 11).Select(i => i / 10.0), global.Take(11).Select(p => p.Weights.Global));
        var bestGlobal = global.Where(p => p.Within(limit)).Max(p => p.ConceptFidelity);
        Assert.True(result.Chosen.Within(limit), $"chosen drift {result.Chosen.GeneralDrift} over the limit {limit}");
        Assert.Equal(CalibrationPhase.PerBlock, result.Chosen.Phase);
        Assert.True(result.Chosen.ConceptFidelity > bestGlobal + 0.05, $"per-block {result.Chosen.ConceptFidelity} vs global {bestGlobal}");
        Assert.True(result.Chosen.ConceptFidelity > GridOptimum(limit) - 0.03, $"chosen {result.Chosen.ConceptFidelity} vs optimum {GridOptimum(limit)}");
        // The cheap output block is kept stronger than the expensive mid block.
        Assert.True(result.Chosen.Weights.AlphaOf(ModelComponent.UNet, Parts[2].Tensor) > result.Chosen.Weights.AlphaOf(ModelComponent.UNet, Parts[1].Tensor));
        Assert.Equal(result.Points.Where(p => p.Within(limit)).Max(p => p.ConceptFidelity), result.Chosen.ConceptFidelity);
        Assert.InRange(result.Points.Count, 12, new CalibrationSettings().MaxEvaluations);
        Assert.Equal((TunedDrift, 1.0), (result.Tuned.GeneralDrift, result.Tuned.ConceptFidelity));
    }

    [Fact]
    public void The_global_search_bisects_to_the_limit()
    {
        double limit = 0.3 * TunedDrift;

        var result = Search(limit, new CalibrationSettings { BlockSteps = [], Bisections = 6 });

        Assert.All(result.Points, p => Assert.Equal(CalibrationPhase.Global, p.Phase));
        Assert.Equal(11 + 6, result.Points.Count);
        // Drift is TunedDrift·α², so the limit sits at α = √0.3 ≈ 0.548; six halvings of [0.5, 0.6] land within 0.002 below it.
        Assert.InRange(result.Chosen.Weights.Global, Math.Sqrt(0.3) - 0.002, Math.Sqrt(0.3));
        Assert.True(result.Chosen.Within(limit));
    }

    [Fact]
    public void A_tuned_model_already_within_the_limit_is_chosen_as_it_is_after_the_sweep()
    {
        var result = Search(TunedDrift);

        Assert.True(result.TunedWithinLimit);
        Assert.Equal(BlockWeights.Uniform(1), result.Chosen.Weights);
        Assert.Equal(11, result.Points.Count);
    }

    [Fact]
    public void A_zero_limit_keeps_the_base_and_the_measurement_budget_is_respected()
    {
        var atZero = Search(0);
        Assert.Equal(0, atZero.Chosen.Weights.Global);
        Assert.Equal((0.0, 0.0), (atZero.Chosen.GeneralDrift, atZero.Chosen.ConceptFidelity));

        var short_ = Search(0.25 * TunedDrift, new CalibrationSettings { MaxEvaluations = 16 });
        Assert.Equal(16, short_.Points.Count);
        Assert.True(short_.Chosen.Within(0.25 * TunedDrift));
    }

    [Fact]
    public void Settings_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Search(0.01, new CalibrationSettings { GlobalSteps = 0 }));
        Assert.Throws<ArgumentException>(() => Search(0.01, new CalibrationSettings { BlockSteps = [0.2, 0] }));
        Assert.Throws<ArgumentException>(() => Search(0.01, new CalibrationSettings { MaxEvaluations = 5 }));
        Assert.Throws<ArgumentException>(() => Search(double.NaN));
    }

    [Theory]
    [InlineData("0.5%", 0.005, false)]
    [InlineData("0.005", 0.005, false)]
    [InlineData(" 0.25x", 0.25, true)]
    [InlineData("1X", 1, true)]
    [InlineData("0", 0, false)]
    public void Budgets_parse_as_absolute_or_relative_to_the_tuned_drift(string text, double value, bool relative)
    {
        var budget = DriftBudget.Parse(text);

        Assert.Equal(relative, budget.RelativeToTuned);
        Assert.Equal(value, budget.Value, 12);
        Assert.Equal(relative ? value * 0.04 : value, budget.Limit(0.04), 12);
    }

    [Theory]
    [InlineData("")]
    [InlineData("%")]
    [InlineData("-1%")]
    [InlineData("half")]
    [InlineData("0.5xx")]
    [InlineData("NaN")]
    public void Malformed_budgets_are_refused_with_the_forms_named(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => DriftBudget.Parse(text));
        Assert.Contains("0.25x", error.Message);
    }
}
