namespace DiffusionTune.Training.Optimization;

/// <summary>What one <see cref="MasterWeightOptimizer.Step"/> did.</summary>
/// <param name="GradientNorm">The global norm of the (unscaled) gradients before clipping; not finite when they overflowed.</param>
/// <param name="SkippedOverflow">
/// True when an fp16 step's gradients overflowed and the update was skipped (the loss scale was halved): routine in
/// fp16 training, not a divergence.
/// </param>
/// <param name="LossScale">The loss scale this step's gradients were computed with (fp16 runs only).</param>
/// <param name="NonFiniteGradients">
/// When the gradient norm is not finite, which gradients were not (found before they were released); else null.
/// </param>
public readonly record struct OptimizerStepResult(double GradientNorm, bool SkippedOverflow, double? LossScale,
    NonFiniteGradients? NonFiniteGradients = null);
