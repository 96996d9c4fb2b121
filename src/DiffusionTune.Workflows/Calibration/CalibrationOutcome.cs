using DiffusionTune.Diffusion.Calibration;

namespace DiffusionTune.Workflows.Calibration;

/// <summary>What a calibration found and wrote.</summary>
/// <param name="Written">The calibrated model or LoRA; null when the fine-tune was already within the budget.</param>
public sealed record CalibrationOutcome(CalibrationResult Result, string ReportPath, string PlotPath, string? Written);
