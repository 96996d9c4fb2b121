using DiffusionTune.Training.Optimization;

namespace DiffusionTune.Training.Loop;

/// <summary>What one step reports: its loss, learning rate and gradient norm.</summary>
/// <param name="SkippedOverflow">
/// An fp16 step whose gradients overflowed, so its update was skipped and the loss scale halved: its gradient norm is
/// not finite, but the run has not diverged.
/// </param>
/// <param name="LossScale">The loss scale of an fp16 step.</param>
/// <param name="NonFiniteGradients">
/// When the gradient norm is not finite, which parameters' gradients were not: the optimizer has released the
/// gradients by the time the loop sees the result, so it carries the diagnosis here.
/// </param>
public readonly record struct StepResult(double Loss, double LearningRate, double GradientNorm, bool SkippedOverflow = false,
    double? LossScale = null, NonFiniteGradients? NonFiniteGradients = null)
{
    /// <summary>A step's result from its loss, learning rate and what the optimizer did.</summary>
    public StepResult(double loss, double learningRate, OptimizerStepResult update)
        : this(loss, learningRate, update.GradientNorm, update.SkippedOverflow, update.LossScale, update.NonFiniteGradients)
    {
    }

    /// <summary>The loss is not finite, or the gradient norm is not and the step was not a skipped fp16 overflow.</summary>
    public bool Diverged => !double.IsFinite(Loss) || !double.IsFinite(GradientNorm) && !SkippedOverflow;
}
