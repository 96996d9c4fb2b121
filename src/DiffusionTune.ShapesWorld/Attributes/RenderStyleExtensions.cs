namespace DiffusionTune.ShapesWorld;

/// <summary>Which styles pretraining may use and which are kept back for fine-tuning.</summary>
public static class RenderStyleExtensions
{
    static readonly IReadOnlyList<RenderStyle> PretrainingStyles = Enum.GetValues<RenderStyle>().Where(s => !IsHeldOutStyle(s)).ToArray().AsReadOnly();
    static readonly IReadOnlyList<RenderStyle> HeldOutStyles = Enum.GetValues<RenderStyle>().Where(IsHeldOutStyle).ToArray().AsReadOnly();

    static bool IsHeldOutStyle(RenderStyle style) => style is RenderStyle.Face or RenderStyle.OutlineOnly or RenderStyle.PixelArt;

    extension(RenderStyle style)
    {
        /// <summary>True for styles that never appear in pretraining data (faces, outlines, pixel art).</summary>
        public bool IsHeldOut => IsHeldOutStyle(style);
    }

    extension(RenderStyle)
    {
        /// <summary>The styles pretraining samples from, in declaration order.</summary>
        public static IReadOnlyList<RenderStyle> Pretraining => PretrainingStyles;

        /// <summary>The held-out styles, in declaration order.</summary>
        public static IReadOnlyList<RenderStyle> HeldOut => HeldOutStyles;
    }
}
