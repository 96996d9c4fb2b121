namespace DiffusionTune.ShapesWorld;

/// <summary>
/// A square RGB working surface in floats (0..255), so layers can be blended without rounding in between.
/// One per thread is reused to keep rendering free of allocations.
/// </summary>
sealed class Canvas
{
    [ThreadStatic] static Canvas? s_cached;

    float[] _pixels = [];

    public int Size { get; private set; }

    /// <summary>The thread's canvas, resized to <paramref name="size"/>; its content is undefined until painted.</summary>
    public static Canvas ForCurrentThread(int size)
    {
        var canvas = s_cached ??= new Canvas();
        if (canvas._pixels.Length < size * size * 3) canvas._pixels = new float[size * size * 3];
        canvas.Size = size;
        return canvas;
    }

    public void Set(int x, int y, float r, float g, float b)
    {
        int i = (y * Size + x) * 3;
        _pixels[i] = r;
        _pixels[i + 1] = g;
        _pixels[i + 2] = b;
    }

    /// <summary>Paints <paramref name="color"/> over pixel (x, y) with opacity <paramref name="alpha"/> (0..1).</summary>
    public void Blend(int x, int y, Rgb color, float alpha)
    {
        if (alpha <= 0f) return;
        int i = (y * Size + x) * 3;
        _pixels[i] += (color.R - _pixels[i]) * alpha;
        _pixels[i + 1] += (color.G - _pixels[i + 1]) * alpha;
        _pixels[i + 2] += (color.B - _pixels[i + 2]) * alpha;
    }

    /// <summary>
    /// Writes the canvas as opaque RGBA bytes of an <paramref name="outputSize"/>² image, rows top to bottom, picking
    /// the nearest canvas pixel when the sizes differ (the block enlargement of pixel art).
    /// </summary>
    public void WriteRgba(Span<byte> destination, int outputSize, int rowBytes)
    {
        for (int y = 0; y < outputSize; y++)
        {
            var row = destination.Slice(y * rowBytes, outputSize * 4);
            int sourceRow = y * Size / outputSize * Size;
            for (int x = 0; x < outputSize; x++)
            {
                int i = (sourceRow + x * Size / outputSize) * 3;
                row[x * 4] = ToByte(_pixels[i]);
                row[x * 4 + 1] = ToByte(_pixels[i + 1]);
                row[x * 4 + 2] = ToByte(_pixels[i + 2]);
                row[x * 4 + 3] = 255;
            }
        }
    }

    static byte ToByte(float value) => (byte)(Math.Clamp(value, 0f, 255f) + 0.5f);
}
