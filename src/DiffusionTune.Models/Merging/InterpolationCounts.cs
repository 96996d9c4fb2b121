namespace DiffusionTune.Models.Merging;

/// <summary>How the tensors of one interpolated module were made.</summary>
/// <param name="FromBase">Copied from the base (α = 0).</param>
/// <param name="FromTuned">Copied from the tuned module (α = 1).</param>
/// <param name="Interpolated">Computed as base + α·(tuned − base).</param>
public sealed record InterpolationCounts(int FromBase, int FromTuned, int Interpolated)
{
    public int Total => FromBase + FromTuned + Interpolated;
}
