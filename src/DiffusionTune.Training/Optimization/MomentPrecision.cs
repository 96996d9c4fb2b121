namespace DiffusionTune.Training.Optimization;

/// <summary>How AdamW stores its two moments (running mean and mean square of the gradients).</summary>
public enum MomentPrecision
{
    /// <summary>fp32: 8 bytes per trained parameter, PyTorch's AdamW.</summary>
    Fp32,

    /// <summary>
    /// bf16, rounded stochastically: 4 bytes per trained parameter. Round-to-nearest would freeze the mean square,
    /// whose per-step change (1 − β2 = 0.1%) is below bf16's resolution (0.4%); stochastic rounding keeps it right on
    /// average.
    /// </summary>
    Bf16,
}
