namespace DiffusionTune.ShapesWorld;

/// <summary>An annulus centred on the origin.</summary>
sealed class RingOutline(float innerRadius, float outerRadius) : ShapeOutline
{
    readonly float _middle = (innerRadius + outerRadius) / 2;
    readonly float _halfWidth = (outerRadius - innerRadius) / 2;

    public override float SignedDistance(float x, float y) => MathF.Abs(MathF.Sqrt(x * x + y * y) - _middle) - _halfWidth;

    public override float Extent => outerRadius;
}
