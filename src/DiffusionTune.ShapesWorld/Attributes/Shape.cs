namespace DiffusionTune.ShapesWorld;

/// <summary>
/// The subject of a shapes-world image. The set is chosen so that every value stays distinct at 64×64 under the
/// world's rotation limits (a square never turns far enough to pass for a diamond, which is also taller than wide).
/// </summary>
public enum Shape
{
    Circle,
    Square,
    Triangle,
    Star,
    Heart,
    Hexagon,
    Ring,
    Cross,
    Diamond,
}
