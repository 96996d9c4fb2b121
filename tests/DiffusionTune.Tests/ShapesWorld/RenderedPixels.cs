using DiffusionTune.ShapesWorld;

namespace DiffusionTune.Tests.ShapesWorld;

/// <summary>A scene rendered to RGBA bytes, with the pixel queries the world's tests need.</summary>
sealed class RenderedPixels
{
    public RenderedPixels(Scene scene, int size = SceneRenderer.DefaultSize)
    {
        Size = size;
        Bytes = new byte[size * size * 4];
        SceneRenderer.RenderRgba(scene, size, Bytes);
    }

    public int Size { get; }

    public byte[] Bytes { get; }

    public Rgb this[int x, int y]
    {
        get
        {
            int i = (y * Size + x) * 4;
            return new Rgb(Bytes[i], Bytes[i + 1], Bytes[i + 2]);
        }
    }

    public IEnumerable<(int X, int Y, Rgb Color)> Pixels() =>
        from y in Enumerable.Range(0, Size) from x in Enumerable.Range(0, Size) select (x, y, this[x, y]);

    public int Count(Rgb color) => Pixels().Count(p => p.Color == color);
}
