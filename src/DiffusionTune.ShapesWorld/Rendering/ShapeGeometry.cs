namespace DiffusionTune.ShapesWorld;

/// <summary>
/// The drawing of each <see cref="Shape"/> in shape units (radius about 1, y down) and the limits that keep shapes
/// apart: how far each may rotate, and where a <see cref="RenderStyle.Face"/> goes on it.
/// </summary>
/// <param name="Outline">The boundary.</param>
/// <param name="MaxRotationDegrees">The sampler rotates the shape by at most this much either way.</param>
/// <param name="FaceCenterY">Vertical offset of the face centre from the shape centre, in shape units.</param>
/// <param name="FaceScale">Size of the face relative to the shape (its features reach about 0.4 × this from its centre).</param>
/// <param name="FaceInHole">The face is drawn in the shape's colour inside its hole (rings) instead of on the fill.</param>
/// <param name="BorderScale">
/// Scales the <see cref="RenderStyle.Bordered"/> border, so that thin shapes (rings, bordered on both edges) keep
/// enough fill to show their colour.
/// </param>
sealed record ShapeGeometry(ShapeOutline Outline, float MaxRotationDegrees, float FaceCenterY, float FaceScale, bool FaceInHole, float BorderScale = 1f)
{
    static readonly ShapeGeometry[] ByShape = BuildAll();

    public static ShapeGeometry Of(Shape shape) => ByShape[(int)shape];

    static ShapeGeometry[] BuildAll()
    {
        var all = new ShapeGeometry[Enum.GetValues<Shape>().Length];
        all[(int)Shape.Circle] = new(new CircleOutline(0.85f), 0, 0, 1.1f, false);
        all[(int)Shape.Square] = new(new PolygonOutline(Rectangle(0.68, 0.68)), 12, 0, 1.1f, false);
        // Vertices on the unit circle, so the centroid (where the face sits best) is the origin.
        all[(int)Shape.Triangle] = new(new PolygonOutline(RegularPolygon(3, 1.0, -90)), 15, 0.05f, 0.95f, false);
        // A chunky star (inner radius half the outer) keeps its points visible at 64 px; it has 72° symmetry.
        all[(int)Shape.Star] = new(new PolygonOutline(Star(5, 1.0, 0.5)), 36, 0.02f, 0.95f, false);
        all[(int)Shape.Heart] = new(new PolygonOutline(Heart(64)), 15, -0.08f, 1.05f, false);
        all[(int)Shape.Hexagon] = new(new PolygonOutline(RegularPolygon(6, 0.92, -90)), 30, 0, 1.1f, false);
        all[(int)Shape.Ring] = new(new RingOutline(0.45f, 0.9f), 0, 0, 0.95f, true, BorderScale: 0.6f);
        all[(int)Shape.Cross] = new(new PolygonOutline(Plus(0.92, 0.34)), 12, 0, 0.95f, false);
        // Taller than wide, so that even at its rotation limit it is not a turned square.
        all[(int)Shape.Diamond] = new(new PolygonOutline(Rhombus(0.62, 1.0)), 12, 0.03f, 1.0f, false);
        return all;
    }

    static (double, double)[] Rectangle(double halfWidth, double halfHeight) =>
        [(-halfWidth, -halfHeight), (halfWidth, -halfHeight), (halfWidth, halfHeight), (-halfWidth, halfHeight)];

    static (double, double)[] Rhombus(double halfWidth, double halfHeight) =>
        [(0, -halfHeight), (halfWidth, 0), (0, halfHeight), (-halfWidth, 0)];

    static (double, double)[] RegularPolygon(int sides, double radius, double firstVertexDegrees) =>
        [.. Enumerable.Range(0, sides).Select(i => Polar(radius, firstVertexDegrees + 360.0 * i / sides))];

    static (double, double)[] Star(int points, double outerRadius, double innerRadius) =>
        [.. Enumerable.Range(0, 2 * points).Select(i => Polar(i % 2 == 0 ? outerRadius : innerRadius, -90 + 180.0 * i / points))];

    /// <summary>A plus sign: arms reaching <paramref name="armLength"/> from the centre, <paramref name="halfWidth"/> thick on each side.</summary>
    static (double, double)[] Plus(double armLength, double halfWidth)
    {
        double l = armLength, w = halfWidth;
        return [(-w, -l), (w, -l), (w, -w), (l, -w), (l, w), (w, w), (w, l), (-w, l), (-w, w), (-l, w), (-l, -w), (-w, -w)];
    }

    /// <summary>
    /// The classic parametric heart, x = 16 sin³t, y = 13 cos t − 5 cos 2t − 2 cos 3t − cos 4t (flipped for y down),
    /// centred on its bounding box and scaled so its farthest point is at radius 1.
    /// </summary>
    static (double, double)[] Heart(int vertices)
    {
        var points = new (double X, double Y)[vertices];
        for (int i = 0; i < vertices; i++)
        {
            double t = 2 * Math.PI * i / vertices;
            double sin = DeterministicTrig.Sin(t);
            points[i] = (16 * sin * sin * sin,
                -(13 * DeterministicTrig.Cos(t) - 5 * DeterministicTrig.Cos(2 * t) - 2 * DeterministicTrig.Cos(3 * t) - DeterministicTrig.Cos(4 * t)));
        }
        double centerX = (points.Min(p => p.X) + points.Max(p => p.X)) / 2, centerY = (points.Min(p => p.Y) + points.Max(p => p.Y)) / 2;
        double extent = points.Max(p => Math.Sqrt((p.X - centerX) * (p.X - centerX) + (p.Y - centerY) * (p.Y - centerY)));
        return [.. points.Select(p => ((p.X - centerX) / extent, (p.Y - centerY) / extent))];
    }

    static (double, double) Polar(double radius, double degrees)
    {
        double radians = DeterministicTrig.DegreesToRadians(degrees);
        return (radius * DeterministicTrig.Cos(radians), radius * DeterministicTrig.Sin(radians));
    }
}
