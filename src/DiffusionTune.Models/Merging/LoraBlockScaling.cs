using DiffusionTune.IO.Formats;

namespace DiffusionTune.Models.Merging;

/// <summary>
/// Bakes per-block strengths into a LoRA (A1111's "LoRA block weight", made permanent): every layer's update is scaled
/// by the α its target module gets from <see cref="BlockWeights"/>, so the new file at strength 1 does what the old one
/// did with those strengths. Layers at α = 0 are left out.
/// </summary>
public static class LoraBlockScaling
{
    /// <summary>The rescaled layers (new tensors, owned by the caller); <paramref name="layers"/> are left as they are.</summary>
    /// <exception cref="ArgumentException">A layer that a kohya file cannot rescale (LoHa, LoKr, DoRA) gets an α other than 0.</exception>
    public static IReadOnlyList<LowRankLayer> Scale(IEnumerable<LoraLayer> layers, BlockWeights strengths)
    {
        var scaled = new List<LowRankLayer>();
        try
        {
            foreach (var layer in layers)
            {
                double alpha = strengths.AlphaOf(layer.Target);
                if (alpha == 0) continue;
                if (layer is not LowRankLayer { Dora: null } lowRank)
                    throw new ArgumentException($"{layer.Target}: only plain LoRA/LoCon layers can carry a per-block strength in a kohya file, not {Kind(layer)} layers; merge it into the model instead");
                scaled.Add(lowRank.Scaled(alpha));
            }
        }
        catch
        {
            foreach (var layer in scaled) layer.Dispose();
            throw;
        }
        return scaled;
    }

    static string Kind(LoraLayer layer) => layer switch
    {
        LohaLayer => "LoHa",
        LokrLayer => "LoKr",
        _ => "DoRA",
    };
}
