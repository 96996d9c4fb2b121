using System.Globalization;

namespace DiffusionTune.Diffusion.Merging;

/// <summary>
/// How many singular directions of a weight difference an extracted LoRA layer keeps: a fixed rank, or the smallest
/// rank whose share of the difference's energy (the sum of squared singular values, ‖ΔW‖²) reaches a threshold, capped.
/// Either way a layer never gets more than min(out, in·kh·kw), its full rank.
/// </summary>
public sealed record RankSelection
{
    RankSelection(int? rank, double? energyThreshold, int maxRank)
    {
        FixedRank = rank;
        EnergyThreshold = energyThreshold;
        MaxRank = maxRank;
    }

    /// <summary>The rank every layer gets (capped by its full rank); null when chosen by energy.</summary>
    public int? FixedRank { get; }

    /// <summary>The share of ‖ΔW‖² to keep, in (0, 1]; null for a fixed rank.</summary>
    public double? EnergyThreshold { get; }

    /// <summary>The largest rank the energy rule may pick.</summary>
    public int MaxRank { get; }

    /// <exception cref="ArgumentException"><paramref name="rank"/> is not positive.</exception>
    public static RankSelection Fixed(int rank) => rank >= 1
        ? new RankSelection(rank, null, rank)
        : throw new ArgumentException($"the rank must be at least 1, not {rank}");

    /// <exception cref="ArgumentException">The threshold is outside (0, 1] or the cap is not positive.</exception>
    public static RankSelection Energy(double threshold, int maxRank)
    {
        if (!(threshold > 0 && threshold <= 1))
            throw new ArgumentException($"the energy threshold is a share of ‖ΔW‖² in (0, 1], not {threshold.ToString(CultureInfo.InvariantCulture)}");
        if (maxRank < 1) throw new ArgumentException($"the maximum rank must be at least 1, not {maxRank}");
        return new RankSelection(null, threshold, maxRank);
    }

    /// <summary>The rank to keep for <paramref name="singularValues"/> (descending, not all zero).</summary>
    public int Choose(IReadOnlyList<double> singularValues)
    {
        if (FixedRank is int rank) return Math.Min(rank, singularValues.Count);
        double total = 0;
        foreach (var value in singularValues) total += value * value;
        double kept = 0;
        int chosen = singularValues.Count;
        for (int i = 0; i < singularValues.Count; i++)
        {
            kept += singularValues[i] * singularValues[i];
            if (kept >= EnergyThreshold!.Value * total)
            {
                chosen = i + 1;
                break;
            }
        }
        return Math.Min(chosen, MaxRank);
    }

    /// <summary>As reports and metadata give it: <c>rank 32</c>, or <c>energy 0.9, rank ≤ 128</c>.</summary>
    public override string ToString() => FixedRank is int rank
        ? $"rank {rank}"
        : $"energy {EnergyThreshold!.Value.ToString("R", CultureInfo.InvariantCulture)}, rank ≤ {MaxRank}";
}
