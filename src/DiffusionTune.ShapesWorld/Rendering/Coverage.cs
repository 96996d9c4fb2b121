namespace DiffusionTune.ShapesWorld;

/// <summary>How much of a pixel a region covers, from the pixel centre's signed distance to the region's edge.</summary>
static class Coverage
{
    /// <summary>
    /// With anti-aliasing, a one-pixel linear ramp centred on the edge (a box filter of a straight edge); without it,
    /// all or nothing.
    /// </summary>
    public static float Of(float signedDistancePixels, bool antialias) =>
        antialias ? Math.Clamp(0.5f - signedDistancePixels, 0f, 1f) : signedDistancePixels < 0f ? 1f : 0f;
}
