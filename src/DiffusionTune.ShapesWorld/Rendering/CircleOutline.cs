namespace DiffusionTune.ShapesWorld;

/// <summary>A disc centred on the origin.</summary>
sealed class CircleOutline(float radius) : ShapeOutline
{
    public override float SignedDistance(float x, float y) => MathF.Sqrt(x * x + y * y) - radius;

    public override float Extent => radius;
}
