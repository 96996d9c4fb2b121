namespace DiffusionTune.ShapesWorld;

/// <summary>
/// Paints a scene's shape over its background in the scene's <see cref="RenderStyle"/>, from the signed distance of
/// each pixel centre to the rotated, scaled outline.
/// </summary>
static class ShapePainter
{
    // Style proportions, in shape radii, with floors in pixels so details survive small shapes.
    const float BorderWidth = 0.13f, MinBorderPixels = 1.5f;
    const float OutlineHalfWidth = 0.07f, MinOutlineHalfPixels = 1.1f;
    const float ShadowOffset = 0.13f, ShadowSoftness = 0.16f, ShadowOpacity = 0.5f;
    // Coverage.Of changes only within half a pixel of an edge.
    const float EdgeBand = 0.5f;

    [ThreadStatic] static DistanceField? s_shapeField;
    [ThreadStatic] static DistanceField? s_shadowField;

    /// <param name="canvas">The canvas, already holding the background.</param>
    /// <param name="scene">The scene whose shape to paint.</param>
    /// <param name="pixelArt">Paint hard-edged on a pixel-art grid (the canvas is the grid) instead of anti-aliased.</param>
    public static void Paint(Canvas canvas, Scene scene, bool pixelArt)
    {
        bool antialias = !pixelArt;
        var geometry = ShapeGeometry.Of(scene.Shape);
        var frame = new ShapeFrame(scene.Placement, canvas.Size);
        var style = scene.Style;
        Rgb fill = scene.Fill;

        float borderPixels = geometry.BorderScale * MathF.Max(BorderWidth * frame.Radius, MinBorderPixels);
        float outlineHalfPixels = MathF.Max(OutlineHalfWidth * frame.Radius, MinOutlineHalfPixels);
        float shadowOffsetPixels = ShadowOffset * frame.Radius, shadowSoftnessPixels = ShadowSoftness * frame.Radius;

        // The canvas rectangle the style can touch.
        float reach = geometry.Outline.Extent * frame.Radius + 1f + style switch
        {
            RenderStyle.OutlineOnly => outlineHalfPixels,
            RenderStyle.Shadowed => shadowOffsetPixels * 1.5f + shadowSoftnessPixels,
            _ => 0f,
        };
        int size = canvas.Size;
        int left = Math.Max(0, (int)MathF.Floor(frame.CenterX - reach)), right = Math.Min(size, (int)MathF.Ceiling(frame.CenterX + reach));
        int top = Math.Max(0, (int)MathF.Floor(frame.CenterY - reach)), bottom = Math.Min(size, (int)MathF.Ceiling(frame.CenterY + reach));
        if (right <= left || bottom <= top) return;

        var (bandLow, bandHigh) = style switch
        {
            RenderStyle.Bordered => (-borderPixels - EdgeBand, EdgeBand),
            RenderStyle.OutlineOnly => (-outlineHalfPixels - EdgeBand, outlineHalfPixels + EdgeBand),
            _ => (-EdgeBand, EdgeBand),
        };
        var shapeField = s_shapeField ??= new DistanceField();
        shapeField.Compute(geometry.Outline, frame, left, top, right - left, bottom - top, bandLow, bandHigh);

        switch (style)
        {
            case RenderStyle.Bordered:
                var border = Palette.BorderOf(fill);
                for (int y = top; y < bottom; y++)
                for (int x = left; x < right; x++)
                {
                    float distance = shapeField[x, y];
                    float inner = Coverage.Of(distance + borderPixels, antialias);
                    canvas.Blend(x, y, fill.MixedWith(border, 1f - inner), Coverage.Of(distance, antialias));
                }
                break;
            case RenderStyle.OutlineOnly:
                for (int y = top; y < bottom; y++)
                for (int x = left; x < right; x++)
                    canvas.Blend(x, y, fill, Coverage.Of(MathF.Abs(shapeField[x, y]) - outlineHalfPixels, antialias));
                break;
            case RenderStyle.Shadowed:
                var shadowField = s_shadowField ??= new DistanceField();
                // The shadow ramp runs from fully dark to clear across twice the softness, centred on the edge.
                shadowField.Compute(geometry.Outline, frame, left, top, right - left, bottom - top,
                    -shadowSoftnessPixels, shadowSoftnessPixels, shadowOffsetPixels, shadowOffsetPixels);
                for (int y = top; y < bottom; y++)
                for (int x = left; x < right; x++)
                {
                    float t = Math.Clamp(0.5f - shadowField[x, y] / (2 * shadowSoftnessPixels), 0f, 1f);
                    canvas.Blend(x, y, Palette.Black, ShadowOpacity * t * t * (3 - 2 * t));
                    canvas.Blend(x, y, fill, Coverage.Of(shapeField[x, y], antialias));
                }
                break;
            default:
                for (int y = top; y < bottom; y++)
                for (int x = left; x < right; x++)
                    canvas.Blend(x, y, fill, Coverage.Of(shapeField[x, y], antialias));
                break;
        }

        if (style == RenderStyle.Face)
            FacePainter.Paint(canvas, geometry, frame, geometry.FaceInHole ? fill : Palette.FaceDetailOn(fill), antialias);
    }
}
