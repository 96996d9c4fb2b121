using DiffusionTune.IO.Images;
using DiffusionTune.Models.Runtime;
using SkiaSharp;
using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Pretraining;

/// <summary>Turns consecutive dataset items into training batches: images as [B, 3, H, W] in [-1, 1] and their captions.</summary>
sealed class ShapesWorldBatches(ShapesWorldDataset dataset, int batchSize)
{
    /// <summary>Batch <paramref name="step"/>: items step·B … step·B + B − 1.</summary>
    public (Tensor Images, string[] Captions) Get(int step, Device device, ScalarType dtype)
    {
        var samples = new ShapesWorldSample[batchSize];
        Parallel.For(0, batchSize, i => samples[i] = dataset.Get((long)step * batchSize + i));
        try
        {
            using var images = ImageTensors.ToBatch(samples.Select(s => s.Image).ToArray());
            return (HostToDevice.Move(images, device, dtype), samples.Select(s => s.Caption.Text).ToArray());
        }
        finally
        {
            foreach (var sample in samples) sample.Dispose();
        }
    }

    public static SKBitmap[] Render(ShapesWorldDataset dataset, IEnumerable<long> indices) =>
        indices.Select(i => dataset.Get(i).Image).ToArray();
}
