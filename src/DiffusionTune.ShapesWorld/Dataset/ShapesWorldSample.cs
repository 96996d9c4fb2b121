using SkiaSharp;

namespace DiffusionTune.ShapesWorld;

/// <summary>One training example: the rendered image, its caption and the scene behind both. Disposing frees the image.</summary>
public sealed record ShapesWorldSample(long Index, Scene Scene, Caption Caption, SKBitmap Image) : IDisposable
{
    public void Dispose() => Image.Dispose();
}
