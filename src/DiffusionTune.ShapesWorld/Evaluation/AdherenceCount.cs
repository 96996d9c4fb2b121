namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>Of <paramref name="Judged"/> images, how many showed what the prompt asked for.</summary>
/// <param name="Matches">Images whose prediction equals the prompt's stated value.</param>
/// <param name="Judged">Images judged: those of prompts that state the attribute.</param>
public readonly record struct AdherenceCount(int Matches, int Judged)
{
    /// <summary>The fraction of judged images that match, 0..1; NaN when nothing was judged.</summary>
    public double Rate => Judged == 0 ? double.NaN : (double)Matches / Judged;

    public static AdherenceCount operator +(AdherenceCount a, AdherenceCount b) => new(a.Matches + b.Matches, a.Judged + b.Judged);
}
