using DiffusionTune.IO.Formats;

namespace DiffusionTune.Diffusion.Merging;

/// <summary>
/// A LoRA extracted from the difference between a fine-tuned model and its base (<see cref="LoraExtraction"/>): its
/// layers (alpha = rank, so scale 1) and what they carry. Owns the layers.
/// </summary>
public sealed class ExtractedLora(IReadOnlyList<LowRankLayer> layers, IReadOnlyList<ExtractedLayer> reports, int unchangedLayers,
    int leftOutTensors, double leftOutEnergy) : IDisposable
{
    public IReadOnlyList<LowRankLayer> Layers { get; } = layers;

    /// <summary>One report per layer of <see cref="Layers"/>, in the same order.</summary>
    public IReadOnlyList<ExtractedLayer> Reports { get; } = reports;

    /// <summary>Candidate layers left out because their weights did not change (beyond float32 rounding).</summary>
    public int UnchangedLayers { get; } = unchangedLayers;

    /// <summary>
    /// Changed tensors a LoRA cannot carry, or that the scope leaves out: biases, norms, embeddings, layers outside the
    /// scope, the VAE, and the rounding-level changes of unchanged layers.
    /// </summary>
    public int LeftOutTensors { get; } = leftOutTensors;

    /// <summary>Σ‖Δ‖² of <see cref="LeftOutTensors"/>.</summary>
    public double LeftOutEnergy { get; } = leftOutEnergy;

    double DeltaEnergy => Reports.Sum(r => r.DeltaNorm * r.DeltaNorm);

    double KeptEnergy => Reports.Sum(r => r.DeltaNorm * r.DeltaNorm * r.RetainedEnergy);

    /// <summary>The share of the adapted layers' Σ‖ΔW‖² that the kept ranks carry.</summary>
    public double RetainedEnergy => DeltaEnergy == 0 ? 1 : KeptEnergy / DeltaEnergy;

    /// <summary>The share of the whole model's change (Σ‖Δ‖² over every tensor) that the LoRA carries.</summary>
    public double CarriedShare => DeltaEnergy + LeftOutEnergy == 0 ? 1 : KeptEnergy / (DeltaEnergy + LeftOutEnergy);

    /// <summary>Over the adapted layers: √Σ‖W_tuned − (W_base + up·down)‖² / √Σ‖W_tuned‖² (truncation only, before the file's rounding).</summary>
    public double RelativeError
    {
        get
        {
            double tuned = Reports.Sum(r => r.TunedNorm * r.TunedNorm);
            return tuned == 0 ? 0 : Math.Sqrt(Reports.Sum(r => r.ResidualNorm * r.ResidualNorm) / tuned);
        }
    }

    public void Dispose()
    {
        foreach (var layer in Layers) layer.Dispose();
    }
}
