namespace DiffusionTune.Training.Optimization;

/// <summary>AdamW hyper-parameters (PyTorch's defaults, including weight decay 0.01, which TorchSharp's factory does not use).</summary>
/// <param name="Moments">How the moments are stored: fp32 (exact), or bf16 to save 4 bytes per trained parameter.</param>
public sealed record AdamWSettings(double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8, double WeightDecay = 0.01,
    MomentPrecision Moments = MomentPrecision.Fp32);
