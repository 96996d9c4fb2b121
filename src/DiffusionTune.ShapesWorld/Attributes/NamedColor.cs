namespace DiffusionTune.ShapesWorld;

/// <summary>
/// A colour name of the world, used both for shapes and for backgrounds. Each name has one base RGB value in
/// <see cref="Palette"/>; rendered colours are that value with a small seeded jitter.
/// </summary>
public enum NamedColor
{
    Red,
    Orange,
    Yellow,
    Green,
    Blue,
    Purple,
    Pink,
    White,
    Black,
}
