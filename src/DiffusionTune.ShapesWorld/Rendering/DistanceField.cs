namespace DiffusionTune.ShapesWorld;

/// <summary>
/// The signed distances (in pixels) from the pixel centres of a canvas rectangle to a placed outline, for the painters
/// that turn them into colour. Only distances inside a band matter to a painter (beyond it the colour no longer
/// changes), and a signed distance changes by at most one pixel per pixel moved; so a 4×4 block whose centre lies
/// far enough beyond the band gets the centre's value everywhere, which paints exactly the same pixels at a
/// fraction of the cost.
/// </summary>
sealed class DistanceField
{
    const int BlockSize = 4;
    // Farthest pixel centre of a 4×4 block from the block's centre (1.5·√2 = 2.1213), with a margin for rounding.
    const float BlockReach = 2.13f;

    float[] _values = [];
    int _left, _top, _width;

    /// <summary>The distance at canvas pixel (x, y), which must lie in the rectangle last computed.</summary>
    public float this[int x, int y] => _values[(y - _top) * _width + (x - _left)];

    /// <summary>
    /// Fills the field for the rectangle at (<paramref name="left"/>, <paramref name="top"/>) of the given size, for
    /// a painter that needs exact distances only between <paramref name="bandLow"/> and <paramref name="bandHigh"/>.
    /// The outline is sampled shifted by (<paramref name="shiftX"/>, <paramref name="shiftY"/>) pixels (for shadows).
    /// </summary>
    public void Compute(ShapeOutline outline, in ShapeFrame frame, int left, int top, int width, int height,
        float bandLow, float bandHigh, float shiftX = 0f, float shiftY = 0f)
    {
        (_left, _top, _width) = (left, top, width);
        if (_values.Length < width * height) _values = new float[width * height];

        for (int blockTop = 0; blockTop < height; blockTop += BlockSize)
        {
            int blockHeight = Math.Min(BlockSize, height - blockTop);
            for (int blockLeft = 0; blockLeft < width; blockLeft += BlockSize)
            {
                int blockWidth = Math.Min(BlockSize, width - blockLeft);
                float centerX = left + blockLeft + blockWidth / 2f - shiftX, centerY = top + blockTop + blockHeight / 2f - shiftY;
                float centerDistance = frame.DistancePixels(outline, centerX, centerY);
                bool uniform = centerDistance > bandHigh + BlockReach || centerDistance < bandLow - BlockReach;
                for (int y = blockTop; y < blockTop + blockHeight; y++)
                {
                    int row = y * width;
                    for (int x = blockLeft; x < blockLeft + blockWidth; x++)
                    {
                        _values[row + x] = uniform
                            ? centerDistance
                            : frame.DistancePixels(outline, left + x + 0.5f - shiftX, top + y + 0.5f - shiftY);
                    }
                }
            }
        }
    }
}
