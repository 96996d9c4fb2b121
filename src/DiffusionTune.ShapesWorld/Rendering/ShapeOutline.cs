namespace DiffusionTune.ShapesWorld;

/// <summary>
/// A shape's boundary as a signed distance function in shape units (the shape fits in a circle of radius about 1
/// around the origin, y pointing down): negative inside, positive outside, and its magnitude the Euclidean distance
/// to the boundary, which is what anti-aliasing, borders, outlines and shadows are computed from.
/// </summary>
abstract class ShapeOutline
{
    public abstract float SignedDistance(float x, float y);

    /// <summary>The largest distance of any boundary point from the origin.</summary>
    public abstract float Extent { get; }
}
