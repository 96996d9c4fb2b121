namespace DiffusionTune.ShapesWorld;

/// <summary>
/// Where the shape sits, in fractions of the frame so one scene renders at any size.
/// </summary>
/// <param name="CenterX">Horizontal centre, 0 (left edge) to 1 (right edge).</param>
/// <param name="CenterY">Vertical centre, 0 (top) to 1 (bottom).</param>
/// <param name="Size">Diameter of the circle the shape fits in, as a fraction of the frame width.</param>
/// <param name="RotationDegrees">Clockwise rotation about the centre.</param>
public sealed record ShapePlacement(float CenterX, float CenterY, float Size, float RotationDegrees);
