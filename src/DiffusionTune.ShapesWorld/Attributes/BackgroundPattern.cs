namespace DiffusionTune.ShapesWorld;

/// <summary>
/// How the background is painted: in its colour alone, or mixed with a lighter or darker shade of it
/// (<see cref="Palette.AccentOf"/>).
/// </summary>
public enum BackgroundPattern
{
    Plain,
    Gradient,
    Stripes,
    Dots,
    Checks,
}
