namespace DiffusionTune.ShapesWorld;

/// <summary>
/// Draws the two eyes and the smile of the <see cref="RenderStyle.Face"/> subject, upright whatever the shape's
/// rotation, so the face always reads as one.
/// </summary>
static class FacePainter
{
    // Feature layout in face radii (the face radius is the shape radius times ShapeGeometry.FaceScale).
    const float EyeSpacing = 0.24f, EyeHeight = -0.14f, EyeRadius = 0.105f;
    const float SmileCenterY = -0.05f, SmileRadius = 0.3f, SmileHalfThickness = 0.05f, MinSmileHalfPixels = 0.85f;
    // The smile is the arc within 60° of straight down; its ends sit at (±sin 60°, cos 60°) × radius.
    const float Sin60 = 0.8660254f, Cos60 = 0.5f;
    // No feature reaches further from the face centre than this (the eyes' outer edges are at 0.38).
    const float FeatureReach = 0.45f;

    public static void Paint(Canvas canvas, ShapeGeometry geometry, in ShapeFrame frame, Rgb color, bool antialias)
    {
        float faceRadius = frame.Radius * geometry.FaceScale;
        float centerX = frame.CenterX, centerY = frame.CenterY + geometry.FaceCenterY * frame.Radius;
        float eyeRadius = EyeRadius * faceRadius;
        float leftEyeX = centerX - EyeSpacing * faceRadius, rightEyeX = centerX + EyeSpacing * faceRadius, eyeY = centerY + EyeHeight * faceRadius;
        float smileY = centerY + SmileCenterY * faceRadius, smileRadius = SmileRadius * faceRadius;
        float smileHalf = MathF.Max(SmileHalfThickness * faceRadius, MinSmileHalfPixels);

        float reach = FeatureReach * faceRadius + 1f;
        int size = canvas.Size;
        int left = Math.Max(0, (int)MathF.Floor(centerX - reach)), right = Math.Min(size, (int)MathF.Ceiling(centerX + reach));
        int top = Math.Max(0, (int)MathF.Floor(centerY - reach)), bottom = Math.Min(size, (int)MathF.Ceiling(centerY + reach));
        for (int y = top; y < bottom; y++)
        {
            float py = y + 0.5f;
            for (int x = left; x < right; x++)
            {
                float px = x + 0.5f;
                float eyes = MathF.Min(Length(px - leftEyeX, py - eyeY), Length(px - rightEyeX, py - eyeY)) - eyeRadius;
                float smile = SmileDistance(px - centerX, py - smileY, smileRadius) - smileHalf;
                canvas.Blend(x, y, color, Coverage.Of(MathF.Min(eyes, smile), antialias));
            }
        }
    }

    /// <summary>Distance from (x, y), relative to the smile's centre, to its arc (a centre line, without thickness).</summary>
    static float SmileDistance(float x, float y, float radius)
    {
        if (y > 0 && MathF.Abs(x) * Cos60 <= y * Sin60)
            return MathF.Abs(Length(x, y) - radius);
        return Length(MathF.Abs(x) - Sin60 * radius, y - Cos60 * radius);
    }

    static float Length(float x, float y) => MathF.Sqrt(x * x + y * y);
}
