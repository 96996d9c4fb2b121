using DiffusionTune.IO.Images;
using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>Consecutive dataset items rendered as one batch with their true labels, for training and measuring the classifier.</summary>
static class LabelledRenders
{
    /// <summary>Items <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> − 1 as images [B, 3, H, W] in [-1, 1] (float32, CPU).</summary>
    public static (Tensor Images, SceneLabels[] Labels) Render(ShapesWorldDataset dataset, long first, int count)
    {
        var samples = new ShapesWorldSample[count];
        Parallel.For(0, count, i => samples[i] = dataset.Get(first + i));
        try
        {
            return (ImageTensors.ToBatch([.. samples.Select(s => s.Image)]), [.. samples.Select(s => SceneLabels.Of(s.Scene))]);
        }
        finally
        {
            foreach (var sample in samples) sample.Dispose();
        }
    }

    /// <summary>The class indices [B] (int64) of <paramref name="attribute"/> in <paramref name="labels"/>.</summary>
    public static Tensor Targets(IReadOnlyList<SceneLabels> labels, SceneAttribute attribute) =>
        tensor(labels.Select(l => (long)l.IndexOf(attribute)).ToArray());
}
