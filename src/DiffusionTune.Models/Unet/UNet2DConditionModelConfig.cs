using System.Text.Json.Serialization;
using DiffusionTune.Models.Configuration;

namespace DiffusionTune.Models.Unet;

/// <summary>
/// The fields of a diffusers <c>unet/config.json</c> that shape a Stable Diffusion 1.x/2.x UNet. Defaults are
/// diffusers' own, so a config that omits a field means what it means to diffusers. Fields for features we do
/// not implement are read so that <see cref="Validate"/> can refuse them by name instead of silently ignoring them.
/// </summary>
public sealed record UNet2DConditionModelConfig : IModelConfig
{
    [JsonPropertyName("_class_name")] public string ClassName { get; init; } = "UNet2DConditionModel";
    [JsonPropertyName("sample_size")] public int SampleSize { get; init; } = 64;
    [JsonPropertyName("in_channels")] public int InChannels { get; init; } = 4;
    [JsonPropertyName("out_channels")] public int OutChannels { get; init; } = 4;
    [JsonPropertyName("center_input_sample")] public bool CenterInputSample { get; init; }
    [JsonPropertyName("flip_sin_to_cos")] public bool FlipSinToCos { get; init; } = true;
    [JsonPropertyName("freq_shift")] public int FreqShift { get; init; }

    [JsonPropertyName("down_block_types")]
    public string[] DownBlockTypes { get; init; } = ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"];

    [JsonPropertyName("mid_block_type")] public string? MidBlockType { get; init; } = "UNetMidBlock2DCrossAttn";

    [JsonPropertyName("up_block_types")]
    public string[] UpBlockTypes { get; init; } = ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"];

    [JsonPropertyName("only_cross_attention"), JsonConverter(typeof(ScalarOrArrayConverter<bool>))]
    public bool[] OnlyCrossAttention { get; init; } = [false];

    [JsonPropertyName("block_out_channels")] public int[] BlockOutChannels { get; init; } = [320, 640, 1280, 1280];

    [JsonPropertyName("layers_per_block"), JsonConverter(typeof(ScalarOrArrayConverter<int>))]
    public int[] LayersPerBlock { get; init; } = [2];

    [JsonPropertyName("downsample_padding")] public int DownsamplePadding { get; init; } = 1;
    [JsonPropertyName("mid_block_scale_factor")] public double MidBlockScaleFactor { get; init; } = 1;
    [JsonPropertyName("dropout")] public double Dropout { get; init; }
    [JsonPropertyName("act_fn")] public string ActFn { get; init; } = "silu";
    [JsonPropertyName("norm_num_groups")] public int? NormNumGroups { get; init; } = 32;
    [JsonPropertyName("norm_eps")] public double NormEps { get; init; } = 1e-5;

    [JsonPropertyName("cross_attention_dim"), JsonConverter(typeof(ScalarOrArrayConverter<int>))]
    public int[] CrossAttentionDim { get; init; } = [1280];

    [JsonPropertyName("transformer_layers_per_block"), JsonConverter(typeof(ScalarOrArrayConverter<int>))]
    public int[] TransformerLayersPerBlock { get; init; } = [1];

    /// <summary>Despite its name this is the number of heads when <see cref="NumAttentionHeads"/> is null (a diffusers naming bug kept for compatibility).</summary>
    [JsonPropertyName("attention_head_dim"), JsonConverter(typeof(ScalarOrArrayConverter<int>))]
    public int[] AttentionHeadDim { get; init; } = [8];

    [JsonPropertyName("num_attention_heads"), JsonConverter(typeof(ScalarOrArrayConverter<int>))]
    public int[]? NumAttentionHeads { get; init; }

    [JsonPropertyName("dual_cross_attention")] public bool DualCrossAttention { get; init; }
    [JsonPropertyName("use_linear_projection")] public bool UseLinearProjection { get; init; }
    [JsonPropertyName("upcast_attention")] public bool UpcastAttention { get; init; }
    [JsonPropertyName("resnet_time_scale_shift")] public string ResnetTimeScaleShift { get; init; } = "default";
    [JsonPropertyName("resnet_skip_time_act")] public bool ResnetSkipTimeAct { get; init; }
    [JsonPropertyName("resnet_out_scale_factor")] public double ResnetOutScaleFactor { get; init; } = 1;
    [JsonPropertyName("time_embedding_type")] public string TimeEmbeddingType { get; init; } = "positional";
    [JsonPropertyName("time_embedding_dim")] public int? TimeEmbeddingDim { get; init; }
    [JsonPropertyName("time_embedding_act_fn")] public string? TimeEmbeddingActFn { get; init; }
    [JsonPropertyName("timestep_post_act")] public string? TimestepPostAct { get; init; }
    [JsonPropertyName("time_cond_proj_dim")] public int? TimeCondProjDim { get; init; }
    [JsonPropertyName("conv_in_kernel")] public int ConvInKernel { get; init; } = 3;
    [JsonPropertyName("conv_out_kernel")] public int ConvOutKernel { get; init; } = 3;
    [JsonPropertyName("class_embed_type")] public string? ClassEmbedType { get; init; }
    [JsonPropertyName("num_class_embeds")] public int? NumClassEmbeds { get; init; }
    [JsonPropertyName("addition_embed_type")] public string? AdditionEmbedType { get; init; }
    [JsonPropertyName("encoder_hid_dim")] public int? EncoderHidDim { get; init; }
    [JsonPropertyName("encoder_hid_dim_type")] public string? EncoderHidDimType { get; init; }
    [JsonPropertyName("mid_block_only_cross_attention")] public bool? MidBlockOnlyCrossAttention { get; init; }
    [JsonPropertyName("cross_attention_norm")] public string? CrossAttentionNorm { get; init; }
    [JsonPropertyName("attention_type")] public string AttentionType { get; init; } = "default";

    [JsonPropertyName("reverse_transformer_layers_per_block"), JsonConverter(typeof(ScalarOrArrayConverter<int>))]
    public int[]? ReverseTransformerLayersPerBlock { get; init; }

    [JsonIgnore] public int Levels => BlockOutChannels.Length;

    [JsonIgnore] public int GroupCount => NormNumGroups ?? throw new InvalidDataException("norm_num_groups null is not supported");

    /// <summary>Heads per level (the effective value of diffusers' num_attention_heads / attention_head_dim pair).</summary>
    [JsonIgnore] public int[] HeadsPerLevel => ScalarOrArrayConverter<int>.PerLevel(NumAttentionHeads ?? AttentionHeadDim, Levels, "attention heads");

    [JsonIgnore] public int[] LayersPerLevel => ScalarOrArrayConverter<int>.PerLevel(LayersPerBlock, Levels, "layers_per_block");

    [JsonIgnore] public int[] CrossAttentionDimPerLevel => ScalarOrArrayConverter<int>.PerLevel(CrossAttentionDim, Levels, "cross_attention_dim");

    [JsonIgnore] public int[] TransformerLayersPerLevel => ScalarOrArrayConverter<int>.PerLevel(TransformerLayersPerBlock, Levels, "transformer_layers_per_block");

    [JsonIgnore] public bool[] OnlyCrossAttentionPerLevel => ScalarOrArrayConverter<bool>.PerLevel(OnlyCrossAttention, Levels, "only_cross_attention");

    [JsonIgnore] public int TimeEmbedDim => TimeEmbeddingDim ?? BlockOutChannels[0] * 4;

    /// <summary>
    /// The sane range of every numeric field: generous around every SD 1.x/2.x/XL release (SD 1.x is sample_size 64,
    /// channels up to 1280, 2 layers per block), tight enough that no value can make the model negative-sized or
    /// absurdly large.
    /// </summary>
    public static IReadOnlyList<FieldRange<UNet2DConditionModelConfig>> Ranges { get; } =
    [
        FieldRange<UNet2DConditionModelConfig>.Scalar("sample_size", 1, 256, c => c.SampleSize),
        FieldRange<UNet2DConditionModelConfig>.Scalar("in_channels", 1, 64, c => c.InChannels),
        FieldRange<UNet2DConditionModelConfig>.Scalar("out_channels", 1, 64, c => c.OutChannels),
        FieldRange<UNet2DConditionModelConfig>.Scalar("freq_shift", 0, 4096, c => c.FreqShift),
        FieldRange<UNet2DConditionModelConfig>.List("block_out_channels", 1, 8192, c => c.BlockOutChannels),
        FieldRange<UNet2DConditionModelConfig>.List("layers_per_block", 1, 16, c => c.LayersPerBlock),
        FieldRange<UNet2DConditionModelConfig>.Scalar("downsample_padding", 0, 1, c => c.DownsamplePadding),
        FieldRange<UNet2DConditionModelConfig>.Scalar("mid_block_scale_factor", 1e-3, 1e3, c => c.MidBlockScaleFactor),
        FieldRange<UNet2DConditionModelConfig>.Scalar("dropout", 0, 1, c => c.Dropout),
        FieldRange<UNet2DConditionModelConfig>.Scalar("norm_num_groups", 1, 8192, c => c.NormNumGroups),
        FieldRange<UNet2DConditionModelConfig>.Scalar("norm_eps", 1e-12, 1, c => c.NormEps),
        FieldRange<UNet2DConditionModelConfig>.List("cross_attention_dim", 1, 16384, c => c.CrossAttentionDim),
        FieldRange<UNet2DConditionModelConfig>.List("transformer_layers_per_block", 1, 32, c => c.TransformerLayersPerBlock),
        FieldRange<UNet2DConditionModelConfig>.List("attention_head_dim", 1, 8192, c => c.AttentionHeadDim),
        FieldRange<UNet2DConditionModelConfig>.List("num_attention_heads", 1, 8192, c => c.NumAttentionHeads),
        FieldRange<UNet2DConditionModelConfig>.Scalar("resnet_out_scale_factor", 1e-3, 1e3, c => c.ResnetOutScaleFactor),
        FieldRange<UNet2DConditionModelConfig>.Scalar("time_embedding_dim", 1, 32768, c => c.TimeEmbeddingDim),
        FieldRange<UNet2DConditionModelConfig>.Scalar("time_cond_proj_dim", 1, 32768, c => c.TimeCondProjDim),
        FieldRange<UNet2DConditionModelConfig>.Scalar("conv_in_kernel", 1, 15, c => c.ConvInKernel),
        FieldRange<UNet2DConditionModelConfig>.Scalar("conv_out_kernel", 1, 15, c => c.ConvOutKernel),
    ];

    /// <summary>Most levels (entries of block_out_channels) a UNet may have; SD has 4.</summary>
    public const int MaxLevels = 8;

    /// <summary>Throws <see cref="InvalidDataException"/> naming every field whose value is out of range or that this implementation does not support.</summary>
    public void Validate()
    {
        var problems = new ConfigProblems("UNet");
        problems.CheckRanges(this, Ranges);
        problems.Require(Levels is > 0 and <= MaxLevels, $"block_out_channels has {Levels} entries; 1 to {MaxLevels} levels are supported");
        problems.Require(ClassName == "UNet2DConditionModel", $"_class_name is '{ClassName}', expected UNet2DConditionModel");
        problems.Require(DownBlockTypes.Length == Levels && UpBlockTypes.Length == Levels, "down_block_types, up_block_types and block_out_channels must have the same length");
        problems.Require(DownBlockTypes.All(t => t is "CrossAttnDownBlock2D" or "DownBlock2D"), $"down_block_types [{string.Join(", ", DownBlockTypes)}]: only CrossAttnDownBlock2D and DownBlock2D are supported");
        problems.Require(UpBlockTypes.All(t => t is "CrossAttnUpBlock2D" or "UpBlock2D"), $"up_block_types [{string.Join(", ", UpBlockTypes)}]: only CrossAttnUpBlock2D and UpBlock2D are supported");
        problems.Require(MidBlockType is "UNetMidBlock2DCrossAttn", $"mid_block_type '{MidBlockType}': only UNetMidBlock2DCrossAttn is supported");
        problems.Require(NormNumGroups is not null, "norm_num_groups null is not supported");
        problems.Require(ActFn == "silu", $"act_fn '{ActFn}': only silu is supported");
        problems.Require(ResnetTimeScaleShift is "default" or "scale_shift", $"resnet_time_scale_shift '{ResnetTimeScaleShift}' is not supported");
        problems.Require(TimeEmbeddingType == "positional", $"time_embedding_type '{TimeEmbeddingType}': only positional is supported");
        problems.Require(TimeEmbeddingActFn is null && TimestepPostAct is null, "time_embedding_act_fn / timestep_post_act are not supported");
        problems.Require(ClassEmbedType is null && NumClassEmbeds is null, "class embeddings (class_embed_type / num_class_embeds) are not supported");
        problems.Require(AdditionEmbedType is null, $"addition_embed_type '{AdditionEmbedType}' (SDXL-style conditioning) is not supported");
        problems.Require(EncoderHidDim is null && EncoderHidDimType is null, "encoder_hid_dim is not supported");
        problems.Require(!DualCrossAttention, "dual_cross_attention is not supported");
        problems.Require(!ResnetSkipTimeAct, "resnet_skip_time_act is not supported");
        problems.Require(CrossAttentionNorm is null, "cross_attention_norm is not supported");
        problems.Require(AttentionType == "default", $"attention_type '{AttentionType}' is not supported");
        problems.Require(ReverseTransformerLayersPerBlock is null, "reverse_transformer_layers_per_block is not supported");
        problems.Require(MidBlockOnlyCrossAttention is null or false, "mid_block_only_cross_attention is not supported");
        problems.Require(ConvInKernel % 2 == 1 && ConvOutKernel % 2 == 1, "conv_in_kernel and conv_out_kernel must be odd");
        if (problems.None)
        {
            try
            {
                var heads = HeadsPerLevel;
                _ = LayersPerLevel; _ = CrossAttentionDimPerLevel; _ = TransformerLayersPerLevel; _ = OnlyCrossAttentionPerLevel;
                // The sinusoidal timestep embedding divides by (half its width − freq_shift).
                problems.Require(FreqShift < BlockOutChannels[0] / 2, $"freq_shift {FreqShift} must be below half of block_out_channels[0] ({BlockOutChannels[0]})");
                for (int i = 0; i < Levels; i++)
                {
                    problems.Require(BlockOutChannels[i] % GroupCount == 0, $"block_out_channels[{i}] = {BlockOutChannels[i]} is not divisible by norm_num_groups {GroupCount}");
                    problems.Require(BlockOutChannels[i] % heads[i] == 0, $"block_out_channels[{i}] = {BlockOutChannels[i]} is not divisible by its {heads[i]} attention heads");
                }
            }
            catch (InvalidDataException e)
            {
                problems.Require(false, e.Message);
            }
        }
        problems.ThrowIfAny();
    }

    /// <summary>
    /// The shapes and module counts the diffusers weights of this config have: input and output convolutions, each
    /// level's width, resnet count, cross-attention context width and transformer depth, and the timestep embedding.
    /// </summary>
    public IEnumerable<FieldEvidence> WeightsEvidence()
    {
        yield return new TensorDimension("in_channels", InChannels, "conv_in.weight", 1);
        yield return new TensorDimension("conv_in_kernel", ConvInKernel, "conv_in.weight", 2);
        yield return new TensorDimension("out_channels", OutChannels, "conv_out.weight", 0);
        yield return new TensorDimension("conv_out_kernel", ConvOutKernel, "conv_out.weight", 2);
        yield return new ModuleCount("the number of block_out_channels entries", Levels, "down_blocks.");
        if (TimeEmbeddingDim is int timeEmbedding) yield return new TensorDimension("time_embedding_dim", timeEmbedding, "time_embedding.linear_1.weight", 0);
        if (TimeCondProjDim is int condition) yield return new TensorDimension("time_cond_proj_dim", condition, "time_embedding.cond_proj.weight", 1);
        var layers = LayersPerLevel;
        var crossAttention = CrossAttentionDimPerLevel;
        var transformerLayers = TransformerLayersPerLevel;
        for (int i = 0; i < Levels; i++)
        {
            var level = $"down_blocks.{i}.";
            yield return new TensorDimension(FieldEvidence.Entry("block_out_channels", Levels, i), BlockOutChannels[i], level + "resnets.0.conv1.weight", 0);
            yield return new ModuleCount(FieldEvidence.Entry("layers_per_block", LayersPerBlock.Length, i), layers[i], level + "resnets.");
            if (DownBlockTypes[i] != "CrossAttnDownBlock2D") continue;
            yield return new TensorDimension(FieldEvidence.Entry("cross_attention_dim", CrossAttentionDim.Length, i), crossAttention[i],
                level + "attentions.0.transformer_blocks.0.attn2.to_k.weight", 1);
            yield return new ModuleCount(FieldEvidence.Entry("transformer_layers_per_block", TransformerLayersPerBlock.Length, i), transformerLayers[i],
                level + "attentions.0.transformer_blocks.");
        }
    }
}
