using SkiaSharp;

namespace DiffusionTune.ShapesWorld;

/// <summary>An opaque 8-bit sRGB colour.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>Rec. 601 luma, 0 (black) to 255 (white): a cheap brightness measure for choosing light or dark detail.</summary>
    public float Luma => 0.299f * R + 0.587f * G + 0.114f * B;

    /// <summary>This colour moved a fraction <paramref name="amount"/> (0..1) of the way towards <paramref name="target"/>.</summary>
    public Rgb MixedWith(Rgb target, float amount) =>
        new(Lerp(R, target.R, amount), Lerp(G, target.G, amount), Lerp(B, target.B, amount));

    public SKColor ToSKColor() => new(R, G, B);

    public override string ToString() => $"#{R:X2}{G:X2}{B:X2}";

    static byte Lerp(byte from, byte to, float amount) => (byte)MathF.Round(from + (to - from) * amount);
}
