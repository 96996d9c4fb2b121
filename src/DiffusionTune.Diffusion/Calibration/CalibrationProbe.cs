using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Diffusion.Pipelines;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Calibration;

/// <summary>
/// Scores a candidate model between a base and a fine-tune, in prediction space and with no image model, so that it
/// works on real SD models: the <b>general drift</b> is the relative drift of its noise predictions from the base's on
/// the general prompts (as <see cref="PredictionDriftMeter"/> gives it), and the <b>concept fidelity</b> is
/// <c>1 − Σ(candidate − tuned)² ÷ Σ(base − tuned)²</c> on the concept prompts: 1 for the tuned model, 0 for the base,
/// the share of what the fine-tune changed for its concept that the candidate keeps. The base's and the tuned
/// model's predictions are taken once, so each candidate costs one pass over the prompts.
/// </summary>
public sealed class CalibrationProbe : IDisposable
{
    readonly StableDiffusionModel _reference;
    readonly IReadOnlyList<string> _generalPrompts;
    readonly IReadOnlyList<string> _conceptPrompts;
    readonly DriftSettings _settings;
    readonly Tensor _baseGeneral;
    readonly Tensor _tunedConcept;
    readonly double _baseGeneralSquare;
    readonly double _conceptChange;

    CalibrationProbe(StableDiffusionModel reference, IReadOnlyList<string> generalPrompts, IReadOnlyList<string> conceptPrompts, DriftSettings settings,
        Tensor baseGeneral, Tensor tunedGeneral, Tensor tunedConcept, double conceptChange)
    {
        (_reference, _generalPrompts, _conceptPrompts, _settings) = (reference, generalPrompts, conceptPrompts, settings);
        (_baseGeneral, _tunedConcept, _conceptChange) = (baseGeneral, tunedConcept, conceptChange);
        _baseGeneralSquare = SquaredSum(baseGeneral);
        TunedGeneralDrift = GeneralDrift(tunedGeneral);
    }

    /// <summary>The tuned model's own general drift (its concept fidelity is 1 by definition).</summary>
    public double TunedGeneralDrift { get; }

    /// <summary>The passes <see cref="Create"/> makes over the prompts (what its progress counts).</summary>
    public const int SetupPasses = 4;

    /// <summary>Takes the base model's and the tuned model's predictions. The base model supplies the inputs' noise schedule and stays in use.</summary>
    /// <param name="progress">Called after each of the <see cref="SetupPasses"/> passes with the passes done and what the next one is.</param>
    /// <exception cref="ArgumentException">No prompts, bad settings, or a fine-tune that changed nothing on the concept prompts.</exception>
    public static CalibrationProbe Create(StableDiffusionModel baseModel, StableDiffusionModel tuned, IReadOnlyList<string> generalPrompts,
        IReadOnlyList<string> conceptPrompts, DriftSettings settings, CancellationToken cancellation = default, Action<int, string>? progress = null)
    {
        if (conceptPrompts.Count == 0) throw new ArgumentException("calibration needs at least one concept prompt (what the fine-tune learned)", nameof(conceptPrompts));
        using var scope = NewDisposeScope();
        var baseGeneral = NoisePredictions.Of(baseModel, baseModel, generalPrompts, settings, cancellation);
        progress?.Invoke(1, "base model on the concept prompts");
        var baseConcept = NoisePredictions.Of(baseModel, baseModel, conceptPrompts, settings, cancellation);
        progress?.Invoke(2, "tuned model on the concept prompts");
        var tunedConcept = NoisePredictions.Of(tuned, baseModel, conceptPrompts, settings, cancellation);
        double conceptChange = SquaredSum(tunedConcept - baseConcept);
        if (conceptChange == 0)
            throw new ArgumentException("the tuned model predicts exactly what the base predicts on the concept prompts, so there is no concept to keep: check the concept prompts (they should use the fine-tune's trigger words)");
        progress?.Invoke(3, "tuned model on the general prompts");
        var tunedGeneral = NoisePredictions.Of(tuned, baseModel, generalPrompts, settings, cancellation);
        progress?.Invoke(4, "done");
        return new CalibrationProbe(baseModel, generalPrompts, conceptPrompts, settings,
            baseGeneral.DetachFromDisposeScope(), tunedGeneral, tunedConcept.DetachFromDisposeScope(), conceptChange);
    }

    /// <summary>The general drift and concept fidelity of <paramref name="candidate"/>.</summary>
    public (double GeneralDrift, double ConceptFidelity) Score(StableDiffusionModel candidate, CancellationToken cancellation = default)
    {
        using var scope = NewDisposeScope();
        var general = NoisePredictions.Of(candidate, _reference, _generalPrompts, _settings, cancellation);
        var concept = NoisePredictions.Of(candidate, _reference, _conceptPrompts, _settings, cancellation);
        return (GeneralDrift(general), 1 - SquaredSum(concept - _tunedConcept) / _conceptChange);
    }

    /// <summary>The relative drift of general-prompt predictions from the base's.</summary>
    double GeneralDrift(Tensor general)
    {
        using var scope = NewDisposeScope();
        double drift = SquaredSum(general - _baseGeneral);
        return drift == 0 ? 0 : drift / _baseGeneralSquare;
    }

    static double SquaredSum(Tensor values)
    {
        using var scope = NewDisposeScope();
        return values.to(ScalarType.Float64).square().sum().item<double>();
    }

    public void Dispose()
    {
        _baseGeneral.Dispose();
        _tunedConcept.Dispose();
    }
}
