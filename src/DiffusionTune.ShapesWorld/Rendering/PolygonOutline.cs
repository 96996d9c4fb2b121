namespace DiffusionTune.ShapesWorld;

/// <summary>
/// A simple polygon (convex or not): the distance is to the nearest edge, the sign from the even-odd crossing rule.
/// </summary>
sealed class PolygonOutline : ShapeOutline
{
    readonly float[] _startX, _startY, _endY, _edgeX, _edgeY, _inverseEdgeLengthSquared;

    public PolygonOutline(IReadOnlyList<(double X, double Y)> vertices)
    {
        if (vertices.Count < 3) throw new ArgumentException("a polygon needs at least three vertices", nameof(vertices));
        int n = vertices.Count;
        _startX = new float[n];
        _startY = new float[n];
        _endY = new float[n];
        _edgeX = new float[n];
        _edgeY = new float[n];
        _inverseEdgeLengthSquared = new float[n];
        float extentSquared = 0;
        for (int i = 0; i < n; i++)
        {
            var (ax, ay) = ((float)vertices[i].X, (float)vertices[i].Y);
            var (bx, by) = ((float)vertices[(i + 1) % n].X, (float)vertices[(i + 1) % n].Y);
            _startX[i] = ax;
            _startY[i] = ay;
            _endY[i] = by;
            _edgeX[i] = bx - ax;
            _edgeY[i] = by - ay;
            _inverseEdgeLengthSquared[i] = 1f / (_edgeX[i] * _edgeX[i] + _edgeY[i] * _edgeY[i]);
            extentSquared = MathF.Max(extentSquared, ax * ax + ay * ay);
        }
        Extent = MathF.Sqrt(extentSquared);
    }

    public override float Extent { get; }

    public override float SignedDistance(float x, float y)
    {
        float nearestSquared = float.MaxValue;
        bool inside = false;
        for (int i = 0; i < _startX.Length; i++)
        {
            float ax = _startX[i], ay = _startY[i], ex = _edgeX[i], ey = _edgeY[i];
            float wx = x - ax, wy = y - ay;
            float t = Math.Clamp((wx * ex + wy * ey) * _inverseEdgeLengthSquared[i], 0f, 1f);
            float dx = wx - ex * t, dy = wy - ey * t;
            nearestSquared = MathF.Min(nearestSquared, dx * dx + dy * dy);
            // Does the edge cross the horizontal ray going right from (x, y)?
            if ((ay > y) != (_endY[i] > y) && (wx * ey < ex * wy) == (ey > 0))
                inside = !inside;
        }
        float distance = MathF.Sqrt(nearestSquared);
        return inside ? -distance : distance;
    }
}
