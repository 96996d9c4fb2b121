namespace DiffusionTune.Diffusion.Damage;

/// <summary>
/// How far a tuned model's output moved from the base model's on the same inputs: the mean squared difference, and
/// the base output's own mean square to read it against.
/// </summary>
/// <param name="MeanSquaredError">Mean over elements of (tuned − base)².</param>
/// <param name="BaseMeanSquare">Mean over elements of base².</param>
public sealed record DriftFigure(double MeanSquaredError, double BaseMeanSquare)
{
    /// <summary>The drift as a share of the base output's size (MSE ÷ base mean square), comparable between blocks whose activations differ in scale; 0 when nothing moved.</summary>
    public double Relative => MeanSquaredError == 0 ? 0 : MeanSquaredError / BaseMeanSquare;
}
