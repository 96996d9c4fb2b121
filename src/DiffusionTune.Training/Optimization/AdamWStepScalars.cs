namespace DiffusionTune.Training.Optimization;

/// <summary>
/// What one parameter's AdamW update needs besides its tensors: the hyper-parameters, its learning rate and step count,
/// what the raw gradient is divided (loss scale) and multiplied (clipping) by, and the seed of its stochastic rounding.
/// </summary>
readonly record struct AdamWStepScalars(AdamWSettings Settings, double LearningRate, long Step, double LossScale, double ClipFactor, ulong RoundingSeed)
{
    /// <summary>PyTorch's <c>lr / (1 − β1^t)</c>.</summary>
    public double StepSize => LearningRate / (1 - Math.Pow(Settings.Beta1, Step));

    /// <summary>PyTorch's <c>√(1 − β2^t)</c>.</summary>
    public double SquareCorrectionRoot => Math.Sqrt(1 - Math.Pow(Settings.Beta2, Step));

    /// <summary>The decoupled weight-decay factor <c>1 − lr·λ</c>.</summary>
    public double DecayFactor => 1 - LearningRate * Settings.WeightDecay;
}
