using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// The original CompVis/LDM single-file layout of SD 1.x/2.x checkpoints ↔ the diffusers/transformers names of the
/// three components. UNet under <c>model.diffusion_model.</c> (<c>input_blocks</c>/<c>middle_block</c>/<c>output_blocks</c>
/// numbered through all levels), VAE under <c>first_stage_model.</c> (decoder levels numbered in reverse, mid-block
/// attention as 1×1 convolutions <c>q</c>/<c>k</c>/<c>v</c>/<c>proj_out</c>), text encoder under
/// <c>cond_stage_model.transformer.</c> (CLIP, with or without the <c>text_model.</c> level) or
/// <c>cond_stage_model.model.</c> (OpenCLIP, SD 2.x).
/// </summary>
public static class CompVisCheckpoint
{
    public const string UNetPrefix = "model.diffusion_model.";

    public const string VaePrefix = "first_stage_model.";

    public const string ClipPrefix = "cond_stage_model.transformer.";

    public const string OpenClipPrefix = OpenClipTextEncoder.Prefix;

    /// <summary>EMA copies of the UNet (names with the dots removed) plus <c>model_ema.decay</c> and <c>model_ema.num_updates</c>.</summary>
    public const string EmaPrefix = "model_ema.";

    const string TextConditionerPrefix = "cond_stage_model.";

    /// <summary>The diffusion-schedule buffers of CompVis' <c>LatentDiffusion</c>; a scheduler recomputes them from its config.</summary>
    public static IReadOnlySet<string> ScheduleBufferNames { get; } = new HashSet<string>(
    [
        "betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod",
        "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod", "posterior_variance",
        "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2",
    ]);

    static readonly LeafRules UNetResnet = LeafRules.Renames(
        ("norm1", "in_layers.0", false),
        ("conv1", "in_layers.2", false),
        ("time_emb_proj", "emb_layers.1", false),
        ("norm2", "out_layers.0", false),
        ("conv2", "out_layers.3", false),
        ("conv_shortcut", "skip_connection", false));

    // Transformer2DModel and SpatialTransformer name their tensors alike.
    static readonly LeafRules UNetTransformer = LeafRules.Shared(
        @"^(?:norm|proj_in|proj_out|transformer_blocks\.\d{1,4}\.(?:norm[123]|attn[12]\.(?:to_q|to_k|to_v|to_out\.0)|ff\.net\.0\.proj|ff\.net\.2))\.(?:weight|bias)$");

    static readonly LeafRules VaeResnet = LeafRules.Renames(
        ("norm1", "norm1", false),
        ("conv1", "conv1", false),
        ("norm2", "norm2", false),
        ("conv2", "conv2", false),
        ("conv_shortcut", "nin_shortcut", false));

    static readonly LeafRules VaeAttention = LeafRules.Renames(
        ("group_norm", "norm", false),
        ("to_q", "q", true),
        ("to_k", "k", true),
        ("to_v", "v", true),
        ("to_out.0", "proj_out", true));

    /// <summary>
    /// Plans the split of a single file with tensors <paramref name="names"/> into diffusers-named UNet, VAE and
    /// text-encoder tensors. Components the file lacks get empty plans.
    /// </summary>
    public static CheckpointConversion Split(IEnumerable<string> names, StableDiffusionLayout layout)
    {
        var unet = UNetModules(layout.UNet);
        var vae = VaeModules(layout.Vae);
        var sink = new ConversionCollector();
        foreach (var name in names)
        {
            if (IsIgnored(name))
                sink.Ignore(name);
            else if (name.StartsWith(UNetPrefix, StringComparison.Ordinal))
                SplitModule(unet, ModelComponent.UNet, name, UNetPrefix, sink);
            else if (name.StartsWith(VaePrefix, StringComparison.Ordinal))
                SplitModule(vae, ModelComponent.Vae, name, VaePrefix, sink);
            else if (name.StartsWith(ClipPrefix, StringComparison.Ordinal))
                SplitClip(name, layout.TextEncoder, sink);
            else if (name.StartsWith(OpenClipPrefix, StringComparison.Ordinal))
                OpenClipTextEncoder.Split(name, layout.TextEncoder, sink);
            else
                sink.Reject(name);
        }
        return sink.ToConversion();
    }

    /// <summary>Plans the split of an open single file (see <see cref="Split(IEnumerable{string}, StableDiffusionLayout)"/>).</summary>
    public static CheckpointConversion Split(SafetensorsFile file, StableDiffusionLayout layout) => Split(file.Names, layout);

    /// <summary>
    /// Plans a single file from the diffusers-named tensors of the three components, written as the original layout
    /// has it: CLIP with the <c>text_model.</c> level and a fresh <c>position_ids</c> buffer (or OpenCLIP with fused
    /// q/k/v), VAE attention weights as 1×1 convolutions. Ignored and unknown names are qualified by component folder
    /// (<c>text_encoder/text_model.embeddings.position_ids</c>).
    /// </summary>
    public static CheckpointConversion Build(IEnumerable<string> unetNames, IEnumerable<string> vaeNames, IEnumerable<string> textEncoderNames,
        StableDiffusionLayout layout, TextEncoderFormat textEncoderFormat)
    {
        var sink = new ConversionCollector();
        BuildModule(UNetModules(layout.UNet), ModelComponent.UNet, unetNames, UNetPrefix, sink);
        BuildModule(VaeModules(layout.Vae), ModelComponent.Vae, vaeNames, VaePrefix, sink);
        if (textEncoderFormat == TextEncoderFormat.OpenClip)
            OpenClipTextEncoder.Build(textEncoderNames, layout.TextEncoder, sink);
        else
            BuildClip(textEncoderNames, layout.TextEncoder, sink);
        return sink.ToConversion();
    }

    /// <summary>
    /// Writes a single file planned by <see cref="Build"/> from the components' tensors (left untouched; only the
    /// fused projections and position ids are new tensors, everything else is written from the caller's storage).
    /// </summary>
    public static void Save(string path, CheckpointConversion conversion, IReadOnlyDictionary<string, Tensor> unet,
        IReadOnlyDictionary<string, Tensor> vae, IReadOnlyDictionary<string, Tensor> textEncoder, IReadOnlyDictionary<string, string>? metadata = null,
        bool overwrite = true)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        try
        {
            tensors.AddRange(conversion.UNet.Stream(unet));
            tensors.AddRange(conversion.Vae.Stream(vae));
            tensors.AddRange(conversion.TextEncoder.Stream(textEncoder));
            SafetensorsWriter.Save(path, tensors, metadata, overwrite);
        }
        finally
        {
            foreach (var (_, tensor) in tensors) tensor.Dispose();
        }
    }

    static bool IsIgnored(string name) =>
        name.StartsWith(EmaPrefix, StringComparison.Ordinal)
        || ScheduleBufferNames.Contains(name)
        || (name.StartsWith(TextConditionerPrefix, StringComparison.Ordinal)
            && (name.EndsWith("position_ids", StringComparison.Ordinal)
                || name.EndsWith(".logit_scale", StringComparison.Ordinal)
                || name.EndsWith(".text_projection", StringComparison.Ordinal)
                || name.EndsWith(".text_projection.weight", StringComparison.Ordinal)));

    static void SplitModule(ModulePrefixMap modules, ModelComponent component, string name, string prefix, ConversionCollector sink)
    {
        if (modules.TryToDiffusers(name[prefix.Length..], out var diffusers, out var transform))
            sink.Map(component, new(diffusers, name, transform));
        else
            sink.Reject(name);
    }

    static void BuildModule(ModulePrefixMap modules, ModelComponent component, IEnumerable<string> names, string prefix, ConversionCollector sink)
    {
        foreach (var name in names)
        {
            if (modules.TryToCompVis(name, out var compVis, out var transform))
                sink.Map(component, new(prefix + compVis, name, transform));
            else
                sink.Reject(component.Qualify(name));
        }
    }

    static void SplitClip(string name, TextEncoderLayout layout, ConversionCollector sink)
    {
        var inner = ClipTextNames.Inner(name[ClipPrefix.Length..]);
        if (!ClipTextNames.IsParameter(inner, out var layer))
            sink.Reject(name);
        else if (layer >= layout.LayerCount)
            sink.Ignore(name);
        else
            sink.Map(ModelComponent.TextEncoder, new(ClipTextNames.Root + inner, name, TensorTransform.Identity));
    }

    static void BuildClip(IEnumerable<string> names, TextEncoderLayout layout, ConversionCollector sink)
    {
        foreach (var name in names)
        {
            var inner = name.StartsWith(ClipTextNames.Root, StringComparison.Ordinal) ? name[ClipTextNames.Root.Length..] : null;
            if (inner == ClipTextNames.PositionIds)
            {
                // Written afresh below: stored copies are sometimes corrupted (float, or shifted by merges).
                sink.Ignore(ModelComponent.TextEncoder.Qualify(name));
            }
            else if (inner is null || !ClipTextNames.IsParameter(inner, out var layer))
            {
                sink.Reject(ModelComponent.TextEncoder.Qualify(name));
            }
            else if (layer >= layout.LayerCount)
            {
                sink.Ignore(ModelComponent.TextEncoder.Qualify(name));
            }
            else
            {
                sink.Map(ModelComponent.TextEncoder, new(ClipPrefix + name, name, TensorTransform.Identity));
                // transformers < 4.31 saved position_ids and loads strictly, so SD 1.x files carry it.
                if (inner == ClipTextNames.PositionEmbedding)
                    sink.Map(ModelComponent.TextEncoder, new(ClipPrefix + ClipTextNames.Root + ClipTextNames.PositionIds, name, TensorTransform.PositionIds));
            }
        }
    }

    /// <summary>Every UNet module with its name in both layouts, numbered the way CompVis' <c>UNetModel</c> builds its block lists.</summary>
    static ModulePrefixMap UNetModules(UNetLayout layout)
    {
        var map = new ModulePrefixMap();
        map.Add("conv_in", "input_blocks.0.0", LeafRules.Parameters);
        map.Add("time_embedding.linear_1", "time_embed.0", LeafRules.Parameters);
        map.Add("time_embedding.linear_2", "time_embed.2", LeafRules.Parameters);

        int lastLevel = layout.LevelCount - 1;
        int block = 1;
        for (int level = 0; level <= lastLevel; level++)
        {
            for (int layer = 0; layer < layout.LayersPerBlock[level]; layer++, block++)
            {
                map.Add($"down_blocks.{level}.resnets.{layer}", $"input_blocks.{block}.0", UNetResnet);
                if (layout.DownBlockHasAttentions[level])
                    map.Add($"down_blocks.{level}.attentions.{layer}", $"input_blocks.{block}.1", UNetTransformer);
            }
            if (level < lastLevel)
                map.Add($"down_blocks.{level}.downsamplers.0.conv", $"input_blocks.{block++}.0.op", LeafRules.Parameters);
        }

        map.Add("mid_block.resnets.0", "middle_block.0", UNetResnet);
        map.Add("mid_block.attentions.0", "middle_block.1", UNetTransformer);
        map.Add("mid_block.resnets.1", "middle_block.2", UNetResnet);

        block = 0;
        for (int up = 0; up <= lastLevel; up++)
        {
            bool attentions = layout.UpBlockHasAttentions[up];
            int layers = layout.UpBlockLayerCount(up);
            for (int layer = 0; layer < layers; layer++, block++)
            {
                map.Add($"up_blocks.{up}.resnets.{layer}", $"output_blocks.{block}.0", UNetResnet);
                if (attentions)
                    map.Add($"up_blocks.{up}.attentions.{layer}", $"output_blocks.{block}.1", UNetTransformer);
                // The upsampler is the last module of the level's last output block: after the attention, if any.
                if (layer == layers - 1 && up < lastLevel)
                    map.Add($"up_blocks.{up}.upsamplers.0.conv", $"output_blocks.{block}.{(attentions ? 2 : 1)}.conv", LeafRules.Parameters);
            }
        }

        map.Add("conv_norm_out", "out.0", LeafRules.Parameters);
        map.Add("conv_out", "out.2", LeafRules.Parameters);
        return map;
    }

    /// <summary>Every VAE module with its name in both layouts; CompVis numbers decoder levels from the lowest resolution up.</summary>
    static ModulePrefixMap VaeModules(VaeLayout layout)
    {
        var map = new ModulePrefixMap();
        foreach (var side in new[] { "encoder", "decoder" })
        {
            map.Add($"{side}.conv_in", $"{side}.conv_in", LeafRules.Parameters);
            map.Add($"{side}.conv_norm_out", $"{side}.norm_out", LeafRules.Parameters);
            map.Add($"{side}.conv_out", $"{side}.conv_out", LeafRules.Parameters);
            map.Add($"{side}.mid_block.resnets.0", $"{side}.mid.block_1", VaeResnet);
            map.Add($"{side}.mid_block.attentions.0", $"{side}.mid.attn_1", VaeAttention);
            map.Add($"{side}.mid_block.resnets.1", $"{side}.mid.block_2", VaeResnet);
        }
        map.Add("quant_conv", "quant_conv", LeafRules.Parameters);
        map.Add("post_quant_conv", "post_quant_conv", LeafRules.Parameters);

        int lastLevel = layout.LevelCount - 1;
        for (int level = 0; level <= lastLevel; level++)
        {
            for (int layer = 0; layer < layout.LayersPerBlock; layer++)
                map.Add($"encoder.down_blocks.{level}.resnets.{layer}", $"encoder.down.{level}.block.{layer}", VaeResnet);
            if (level < lastLevel)
                map.Add($"encoder.down_blocks.{level}.downsamplers.0.conv", $"encoder.down.{level}.downsample.conv", LeafRules.Parameters);
        }
        for (int up = 0; up <= lastLevel; up++)
        {
            int level = lastLevel - up;
            for (int layer = 0; layer <= layout.LayersPerBlock; layer++)
                map.Add($"decoder.up_blocks.{up}.resnets.{layer}", $"decoder.up.{level}.block.{layer}", VaeResnet);
            if (up < lastLevel)
                map.Add($"decoder.up_blocks.{up}.upsamplers.0.conv", $"decoder.up.{level}.upsample.conv", LeafRules.Parameters);
        }
        return map;
    }
}
