using DiffusionTune.Diffusion.Calibration;
using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Loading;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Calibration;

/// <summary>One measured point of the search, as the report writes it.</summary>
/// <param name="Alpha">The strengths, as a <c>--alpha</c> spec.</param>
public sealed record CalibrationReportPoint(string Alpha, string Phase, double GeneralDrift, double ConceptFidelity)
{
    public static CalibrationReportPoint From(CalibrationPoint point) =>
        new(point.Weights.ToString(), point.Phase == CalibrationPhase.Global ? "global" : "per_block", point.GeneralDrift, point.ConceptFidelity);
}

/// <summary>What <c>calibrate</c> did: the models, the budget, every point measured and the chosen one. Written as snake_case JSON.</summary>
public sealed record CalibrationReport
{
    public required ModelReference Base { get; init; }

    /// <summary>The tuned checkpoint (the base itself when only LoRAs were calibrated).</summary>
    public required ModelReference Tuned { get; init; }

    public IReadOnlyList<AppliedLora> Loras { get; init; } = [];

    public required IReadOnlyList<string> ConceptPrompts { get; init; }

    public required IReadOnlyList<string> GeneralPrompts { get; init; }

    public required DriftSettings Settings { get; init; }

    /// <summary>The budget as given (e.g. "0.5% relative drift").</summary>
    public required string Budget { get; init; }

    /// <summary>The general drift allowed.</summary>
    public required double DriftLimit { get; init; }

    public required CalibrationReportPoint TunedModel { get; init; }

    public required CalibrationReportPoint Chosen { get; init; }

    public required IReadOnlyList<CalibrationReportPoint> Points { get; init; }

    /// <summary>The calibrated model or LoRA written; null when the tuned model was already within the budget.</summary>
    public string? Output { get; init; }

    /// <summary>The fidelity-vs-drift plot.</summary>
    public required string Plot { get; init; }

    /// <summary>Writes the report to <paramref name="path"/> atomically (replacing an older one).</summary>
    public void Write(string path) => JsonReport.Write(this, path);

    /// <exception cref="InvalidDataException">The file is not a calibration report.</exception>
    public static CalibrationReport Read(string path) => JsonReport.Read<CalibrationReport>(path, "calibration report");
}
