using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Models.Adapters;
using DiffusionTune.Tests.Pipelines;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Adapters;

/// <summary>Layers of the tiny random model and synthetic LoRA tensors for them.</summary>
static class AdapterTestData
{
    /// <summary>A Linear self-attention projection [64, 64].</summary>
    public const string SelfAttentionQuery = "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q";

    /// <summary>A Linear cross-attention projection from the 32-wide text features [64, 32].</summary>
    public const string CrossAttentionKey = "down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k";

    /// <summary>The attention output projection (diffusers' <c>to_out.0</c>).</summary>
    public const string AttentionOut = "mid_block.attentions.0.transformer_blocks.0.attn1.to_out.0";

    /// <summary>A 1×1 convolution [64, 64, 1, 1] (SD 1.x projects in and out with convolutions).</summary>
    public const string ProjectIn = "down_blocks.1.attentions.0.proj_in";

    /// <summary>A 3×3 convolution [32, 32, 3, 3].</summary>
    public const string ResnetConv = "down_blocks.0.resnets.0.conv1";

    /// <summary>A 3×3 stride-2 convolution [32, 32, 3, 3].</summary>
    public const string Downsampler = "down_blocks.0.downsamplers.0.conv";

    /// <summary>GEGLU's projection [512, 64].</summary>
    public const string FeedForward = "mid_block.attentions.0.transformer_blocks.0.ff.net.0.proj";

    /// <summary>A text-encoder attention projection [32, 32].</summary>
    public const string TextQuery = "text_model.encoder.layers.1.self_attn.q_proj";

    /// <summary>A text-encoder MLP layer [37, 32].</summary>
    public const string TextFc1 = "text_model.encoder.layers.0.mlp.fc1";

    public static AdaptableModule UNetLayer(AdaptableLayers layers, string name) =>
        layers.Targets.Find(ModelComponent.UNet, name) ?? throw new InvalidOperationException($"the tiny UNet has no {name}");

    public static AdaptableModule TextLayer(AdaptableLayers layers, string name) =>
        layers.Targets.Find(ModelComponent.TextEncoder, name) ?? throw new InvalidOperationException($"the tiny text encoder has no {name}");

    /// <summary>Normal noise scaled to make visible but tame weight changes.</summary>
    public static Tensor Noise(params long[] shape) => (randn(shape) * 0.2).DetachFromDisposeScope();

    /// <summary>A LoCon-shaped LoRA for <paramref name="target"/>: down with the layer's kernel, up 1×1.</summary>
    public static LowRankLayer RandomLowRank(AdaptableModule target, long rank, double alpha)
    {
        long[] ones = [.. target.Kernel.Select(_ => 1L)];
        return new LowRankLayer(target, Noise([rank, target.InFeatures, .. target.Kernel]), Noise([target.OutFeatures, rank, .. ones]), alpha);
    }

    /// <summary>
    /// Writes a kohya LoRA of random rank-4 layers (alpha <paramref name="alpha"/>) for the tiny model's
    /// <paramref name="targets"/> (UNet module names, or text-encoder ones starting with <c>text_model.</c>); returns its path.
    /// </summary>
    public static string WriteKohyaLora(string fileName, IEnumerable<(string Module, double Alpha)> targets, KohyaLoraMetadata? metadata = null,
        ScalarType dtype = ScalarType.Float16)
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var adapters = targets
            .Select(t => RandomLowRank(t.Module.StartsWith("text_model.", StringComparison.Ordinal) ? TextLayer(layers, t.Module) : UNetLayer(layers, t.Module), 4, t.Alpha))
            .ToList();
        var path = Path.Combine(TestPaths.TempFolder(), fileName);
        KohyaLoraWriter.Save(path, adapters, metadata ?? new KohyaLoraMetadata(), dtype);
        foreach (var adapter in adapters) adapter.Dispose();
        return path;
    }

    /// <summary>Writes <paramref name="tensors"/> as a safetensors file in a fresh folder; returns its path.</summary>
    public static string Write(string fileName, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var path = Path.Combine(TestPaths.TempFolder(), fileName);
        SafetensorsWriter.Save(path, tensors, metadata);
        return path;
    }

    /// <summary>Fixed UNet inputs for comparing outputs: latents [1, 4, 8, 8], a timestep and a 5-token context.</summary>
    public sealed class UNetProbe : IDisposable
    {
        readonly Tensor _sample;
        readonly Tensor _timestep;
        readonly Tensor _context;

        public UNetProbe(long seed = 11)
        {
            manual_seed(seed);
            _sample = randn(1, 4, 8, 8).DetachFromDisposeScope();
            _timestep = tensor(500f).DetachFromDisposeScope();
            _context = randn(1, 5, 32).DetachFromDisposeScope();
        }

        public Tensor Run(StableDiffusionModel model)
        {
            using var _ = no_grad();
            return model.Unet.call(_sample, _timestep, _context).DetachFromDisposeScope();
        }

        public void Dispose()
        {
            _sample.Dispose();
            _timestep.Dispose();
            _context.Dispose();
        }
    }

    /// <summary>The tiny model and its adaptable layers.</summary>
    public static (StableDiffusionModel Model, AdaptableLayers Layers) TinyModel(long seed = 0)
    {
        var model = RandomTinyModel.Create(seed);
        return (model, new AdaptableLayers(model.Unet, model.TextEncoder));
    }
}
