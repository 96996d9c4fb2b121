using DiffusionTune.IO.Formats;

namespace DiffusionTune.Diffusion.Merging;

/// <summary>One layer of an extracted LoRA: the rank it kept and how much of its weight difference that carries.</summary>
/// <param name="DeltaNorm">‖W_tuned − W_base‖ (Frobenius).</param>
/// <param name="TunedNorm">‖W_tuned‖.</param>
/// <param name="FullRank">min(out, in·kh·kw): the rank that would carry ΔW exactly.</param>
/// <param name="RetainedEnergy">The share of ‖ΔW‖² in the kept singular directions.</param>
public sealed record ExtractedLayer(AdaptableModule Target, int Rank, int FullRank, double RetainedEnergy, double DeltaNorm, double TunedNorm)
{
    /// <summary>‖ΔW − up·down‖: what truncation leaves out (before the file's rounding).</summary>
    public double ResidualNorm => DeltaNorm * Math.Sqrt(Math.Max(0, 1 - RetainedEnergy));

    /// <summary>‖W_tuned − (W_base + up·down)‖ / ‖W_tuned‖.</summary>
    public double RelativeError => TunedNorm == 0 ? 0 : ResidualNorm / TunedNorm;
}
