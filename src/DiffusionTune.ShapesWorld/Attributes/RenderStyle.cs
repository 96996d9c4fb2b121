namespace DiffusionTune.ShapesWorld;

/// <summary>
/// How the shape is drawn. The first three are pretraining styles; the rest are held out of pretraining
/// (<see cref="RenderStyleExtensions"/>: <c>style.IsHeldOut</c>) so fine-tuning has something new to teach.
/// </summary>
public enum RenderStyle
{
    /// <summary>A plain anti-aliased fill; captions name no style for it.</summary>
    Flat,

    /// <summary>A fill with a border in a darker shade (a lighter one for black shapes).</summary>
    Bordered,

    /// <summary>A fill over a soft drop shadow below and to the right.</summary>
    Shadowed,

    /// <summary>Held out: a fill with two eyes and a smile drawn on it, a "subject" rather than a style.</summary>
    Face,

    /// <summary>Held out: only the outline of the shape, no fill.</summary>
    OutlineOnly,

    /// <summary>Held out: the whole image drawn on a 16×16 grid without anti-aliasing, then enlarged as blocks.</summary>
    PixelArt,
}
