namespace DiffusionTune.IO.Formats;

/// <summary>
/// The tensor suffixes LyCORIS adds to kohya names: LoHa (<c>hada_w1_a/b</c>, <c>hada_w2_a/b</c>, optional Tucker
/// cores <c>hada_t1/t2</c>), LoKr (<c>lokr_w1</c> or <c>lokr_w1_a/b</c>, <c>lokr_w2</c> or <c>lokr_w2_a/b</c>, optional
/// <c>lokr_t2</c>) and DoRA's <c>dora_scale</c>, which any of the LoRA kinds may carry.
/// </summary>
public static class LycorisLoraKeys
{
    public const string DoraScaleSuffix = ".dora_scale";

    internal static IReadOnlyList<LoraKeySuffix> Suffixes { get; } =
    [
        new(DoraScaleSuffix, LoraPart.DoraScale),
        new(".hada_w1_a", LoraPart.HadaW1A),
        new(".hada_w1_b", LoraPart.HadaW1B),
        new(".hada_w2_a", LoraPart.HadaW2A),
        new(".hada_w2_b", LoraPart.HadaW2B),
        new(".hada_t1", LoraPart.HadaT1),
        new(".hada_t2", LoraPart.HadaT2),
        new(".lokr_w1", LoraPart.LokrW1),
        new(".lokr_w1_a", LoraPart.LokrW1A),
        new(".lokr_w1_b", LoraPart.LokrW1B),
        new(".lokr_w2", LoraPart.LokrW2),
        new(".lokr_w2_a", LoraPart.LokrW2A),
        new(".lokr_w2_b", LoraPart.LokrW2B),
        new(".lokr_t2", LoraPart.LokrT2),
    ];
}
