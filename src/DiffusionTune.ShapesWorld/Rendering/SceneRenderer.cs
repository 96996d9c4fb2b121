using System.Runtime.CompilerServices;
using SkiaSharp;

namespace DiffusionTune.ShapesWorld;

/// <summary>
/// Draws a <see cref="Scene"/>. The rasteriser is our own (signed distances, one-pixel anti-aliasing ramps, float
/// arithmetic without platform maths functions) rather than Skia's, whose output depends on the CPU features it
/// picks at run time: the same scene gives byte-identical pixels on every machine.
/// </summary>
public static class SceneRenderer
{
    public const int DefaultSize = 64;

    /// <summary>The largest image size accepted (keeps the working buffers within reason).</summary>
    public const int MaxSize = 4096;

    /// <summary>The grid that <see cref="RenderStyle.PixelArt"/> scenes are drawn on before being enlarged.</summary>
    public const int PixelArtGrid = 16;

    /// <summary>Renders <paramref name="scene"/> into a new opaque RGBA bitmap of <paramref name="size"/>² pixels.</summary>
    public static SKBitmap Render(Scene scene, int size = DefaultSize)
    {
        CheckSize(size);
        var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque));
        try
        {
            unsafe
            {
                RenderRgba(scene, size, new Span<byte>((void*)bitmap.GetPixels(), bitmap.ByteCount), bitmap.RowBytes);
            }
            bitmap.NotifyPixelsChanged();
            return bitmap;
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Renders <paramref name="scene"/> as RGBA bytes (alpha 255) into <paramref name="destination"/>: rows of
    /// <paramref name="rowBytes"/> bytes (at least 4 × <paramref name="size"/>; 0 means exactly that), top to bottom.
    /// </summary>
    public static void RenderRgba(Scene scene, int size, Span<byte> destination, int rowBytes = 0)
    {
        CheckSize(size);
        if (rowBytes == 0) rowBytes = size * 4;
        if (rowBytes < size * 4)
            throw new ArgumentOutOfRangeException(nameof(rowBytes), rowBytes, $"a row of {size} RGBA pixels needs {size * 4} bytes");
        if (destination.Length < (long)rowBytes * (size - 1) + size * 4)
            throw new ArgumentException($"{destination.Length} bytes cannot hold {size}×{size} RGBA pixels with rows of {rowBytes} bytes", nameof(destination));

        bool pixelArt = scene.Style == RenderStyle.PixelArt;
        var canvas = Canvas.ForCurrentThread(pixelArt ? PixelArtGrid : size);
        BackgroundPainter.Paint(canvas, scene.Background, pixelArt);
        ShapePainter.Paint(canvas, scene, pixelArt);
        canvas.WriteRgba(destination, size, rowBytes);
    }

    internal static void CheckSize(int size, [CallerArgumentExpression(nameof(size))] string? parameterName = null)
    {
        if (size is < 1 or > MaxSize)
            throw new ArgumentOutOfRangeException(parameterName, size, $"the image size must be between 1 and {MaxSize} pixels");
    }
}
