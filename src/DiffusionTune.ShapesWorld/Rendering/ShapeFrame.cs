namespace DiffusionTune.ShapesWorld;

/// <summary>Where a shape outline sits on a canvas: centre, rotation and radius, all in canvas pixels.</summary>
readonly struct ShapeFrame
{
    readonly float _inverseRadius;

    public ShapeFrame(ShapePlacement placement, int canvasSize)
    {
        Radius = placement.Size / 2 * canvasSize;
        CenterX = placement.CenterX * canvasSize;
        CenterY = placement.CenterY * canvasSize;
        double radians = DeterministicTrig.DegreesToRadians(placement.RotationDegrees);
        Cos = (float)DeterministicTrig.Cos(radians);
        Sin = (float)DeterministicTrig.Sin(radians);
        _inverseRadius = 1f / Radius;
    }

    public float CenterX { get; }

    public float CenterY { get; }

    public float Radius { get; }

    public float Cos { get; }

    public float Sin { get; }

    /// <summary>The signed distance, in pixels, from canvas point (x, y) to the placed outline.</summary>
    public float DistancePixels(ShapeOutline outline, float x, float y)
    {
        float dx = x - CenterX, dy = y - CenterY;
        return outline.SignedDistance((dx * Cos + dy * Sin) * _inverseRadius, (dy * Cos - dx * Sin) * _inverseRadius) * Radius;
    }
}
