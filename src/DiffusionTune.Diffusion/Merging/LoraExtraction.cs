using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Adapters;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Merging;

/// <summary>
/// Extracts a LoRA from a fine-tuned model (DreamBooth, a full fine-tune) and its base, as sd-scripts'
/// <c>extract_lora_from_models.py</c> does: for every candidate layer, ΔW = W_tuned − W_base (a convolution's
/// flattened to <c>[out, in·kh·kw]</c>) is factored by a truncated SVD in float32 on the CPU, ΔW ≈ U·S·Vᵀ, into
/// <c>up = U·√S</c> and <c>down = √S·Vᵀ</c> (down reshaped to the layer's kernel, up 1×1, as kohya's LoCon), alpha =
/// rank so the scale is 1. Layers whose weights did not change are left out.
/// </summary>
public static class LoraExtraction
{
    /// <summary>A layer counts as unchanged when ‖ΔW‖ is at most this share of ‖W_base‖ (float32 rounding).</summary>
    public const double UnchangedTolerance = 1e-6;

    /// <summary>
    /// Extracts the LoRA; <paramref name="progress"/> hears (layers done, candidate layers) after each layer, and
    /// cancelling stops it before the next layer.
    /// </summary>
    /// <exception cref="IO.ModelFileException">The models are not the same architecture.</exception>
    public static ExtractedLora Extract(StableDiffusionModel @base, StableDiffusionModel tuned, RankSelection rank,
        LoraExtractionScope scope = LoraExtractionScope.Transformer, Action<int, int>? progress = null, CancellationToken cancellation = default)
    {
        CheckpointInterpolation.EnsureCompatible(@base, tuned);
        var candidates = new AdaptableLayers(@base.Unet, @base.TextEncoder).Modules.Where(m => scope.Includes(m)).ToList();
        var baseTensors = StateDicts(@base);
        var tunedTensors = StateDicts(tuned);
        var layers = new List<LowRankLayer>();
        var reports = new List<ExtractedLayer>();
        int unchanged = 0, leftOutTensors = 0;
        double leftOutEnergy = 0;
        try
        {
            foreach (var module in candidates)
            {
                cancellation.ThrowIfCancellationRequested();
                using var _ = NewDisposeScope();
                var weightName = module.Name + ".weight";
                var (b, t) = (Float(baseTensors[module.Component][weightName]), Float(tunedTensors[module.Component][weightName]));
                var delta = (t - b).reshape(module.OutFeatures, -1);
                double deltaNorm = Norm(delta);
                if (deltaNorm == 0 || deltaNorm <= UnchangedTolerance * Norm(b))
                {
                    unchanged++;
                    if (deltaNorm > 0) (leftOutTensors, leftOutEnergy) = (leftOutTensors + 1, leftOutEnergy + deltaNorm * deltaNorm);
                }
                else
                {
                    var (layer, report) = Factor(module, delta, rank, deltaNorm, Norm(t));
                    layers.Add(layer);
                    reports.Add(report);
                }
                progress?.Invoke(unchanged + layers.Count, candidates.Count);
            }
        }
        catch
        {
            foreach (var layer in layers) layer.Dispose();
            throw;
        }

        var adapted = candidates.Select(m => (m.Component, m.Name + ".weight")).ToHashSet();
        foreach (var (component, tensors) in baseTensors)
        {
            foreach (var (name, b) in tensors)
            {
                if (adapted.Contains((component, name)) || !b.is_floating_point()) continue;
                using var _ = NewDisposeScope();
                double change = Norm(Float(tunedTensors[component][name]) - Float(b));
                if (change > 0) (leftOutTensors, leftOutEnergy) = (leftOutTensors + 1, leftOutEnergy + change * change);
            }
        }
        return new ExtractedLora(layers, reports, unchanged, leftOutTensors, leftOutEnergy);
    }

    static (LowRankLayer Layer, ExtractedLayer Report) Factor(AdaptableModule module, Tensor delta, RankSelection selection, double deltaNorm, double tunedNorm)
    {
        var (u, s, vh) = linalg.svd(delta, fullMatrices: false);
        var singularValues = s.to(ScalarType.Float64).data<double>().ToArray();
        int rank = selection.Choose(singularValues);
        double total = singularValues.Sum(v => v * v);
        double kept = singularValues.Take(rank).Sum(v => v * v);

        var root = s.narrow(0, 0, rank).sqrt();
        var up = u.narrow(1, 0, rank) * root.unsqueeze(0);
        var down = (root.unsqueeze(1) * vh.narrow(0, 0, rank)).reshape([rank, .. module.WeightShape[1..]]);
        var layer = new LowRankLayer(module, down.DetachFromDisposeScope(), up.DetachFromDisposeScope(), alpha: rank);
        return (layer, new ExtractedLayer(module, rank, singularValues.Length, kept / total, deltaNorm, tunedNorm));
    }

    static Dictionary<ModelComponent, Dictionary<string, Tensor>> StateDicts(StableDiffusionModel model) => new()
    {
        [ModelComponent.UNet] = model.Unet.state_dict(),
        [ModelComponent.TextEncoder] = model.TextEncoder.state_dict(),
        [ModelComponent.Vae] = model.Vae.state_dict(),
    };

    static Tensor Float(Tensor tensor) => tensor.detach().to(ScalarType.Float32, CPU);

    static double Norm(Tensor tensor) => tensor.to(ScalarType.Float64).norm().item<double>();
}
