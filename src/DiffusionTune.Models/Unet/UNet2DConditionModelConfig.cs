using System.Text.Json.Serialization;
using DiffusionTune.Models.Configuration;

namespace DiffusionTune.Models.Unet;

/// <summary>
/// The fields of a diffusers <c>unet/config.json</c> that shape a Stable Diffusion 1.x/2.x UNet. Defaults are
/// diffusers' own, so a config that omits a field means what it means to diffusers. Fields for features we do
/// not implement are read so that <see cref="Validate"/> can refuse them by name instead of silently ignoring them.
/// </summary>
public sealed record UNet2DConditionModelConfig
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

    /// <summary>Throws <see cref="InvalidDataException"/> naming every field whose value this implementation does not support.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        void Require(bool ok, string problem) { if (!ok) problems.Add(problem); }

        Require(ClassName == "UNet2DConditionModel", $"_class_name is '{ClassName}', expected UNet2DConditionModel");
        Require(Levels > 0, "block_out_channels is empty");
        Require(DownBlockTypes.Length == Levels && UpBlockTypes.Length == Levels, "down_block_types, up_block_types and block_out_channels must have the same length");
        Require(DownBlockTypes.All(t => t is "CrossAttnDownBlock2D" or "DownBlock2D"), $"down_block_types [{string.Join(", ", DownBlockTypes)}]: only CrossAttnDownBlock2D and DownBlock2D are supported");
        Require(UpBlockTypes.All(t => t is "CrossAttnUpBlock2D" or "UpBlock2D"), $"up_block_types [{string.Join(", ", UpBlockTypes)}]: only CrossAttnUpBlock2D and UpBlock2D are supported");
        Require(MidBlockType is "UNetMidBlock2DCrossAttn", $"mid_block_type '{MidBlockType}': only UNetMidBlock2DCrossAttn is supported");
        Require(NormNumGroups is > 0, "norm_num_groups must be a positive number");
        Require(ActFn == "silu", $"act_fn '{ActFn}': only silu is supported");
        Require(ResnetTimeScaleShift is "default" or "scale_shift", $"resnet_time_scale_shift '{ResnetTimeScaleShift}' is not supported");
        Require(TimeEmbeddingType == "positional", $"time_embedding_type '{TimeEmbeddingType}': only positional is supported");
        Require(TimeEmbeddingActFn is null && TimestepPostAct is null, "time_embedding_act_fn / timestep_post_act are not supported");
        Require(ClassEmbedType is null && NumClassEmbeds is null, "class embeddings (class_embed_type / num_class_embeds) are not supported");
        Require(AdditionEmbedType is null, $"addition_embed_type '{AdditionEmbedType}' (SDXL-style conditioning) is not supported");
        Require(EncoderHidDim is null && EncoderHidDimType is null, "encoder_hid_dim is not supported");
        Require(!DualCrossAttention, "dual_cross_attention is not supported");
        Require(!ResnetSkipTimeAct, "resnet_skip_time_act is not supported");
        Require(CrossAttentionNorm is null, "cross_attention_norm is not supported");
        Require(AttentionType == "default", $"attention_type '{AttentionType}' is not supported");
        Require(ReverseTransformerLayersPerBlock is null, "reverse_transformer_layers_per_block is not supported");
        Require(MidBlockOnlyCrossAttention is null or false, "mid_block_only_cross_attention is not supported");
        Require(ConvInKernel % 2 == 1 && ConvOutKernel % 2 == 1, "conv_in_kernel and conv_out_kernel must be odd");
        if (problems.Count == 0)
        {
            try
            {
                var heads = HeadsPerLevel;
                _ = LayersPerLevel; _ = CrossAttentionDimPerLevel; _ = TransformerLayersPerLevel; _ = OnlyCrossAttentionPerLevel;
                for (int i = 0; i < Levels; i++)
                {
                    Require(BlockOutChannels[i] % GroupCount == 0, $"block_out_channels[{i}] = {BlockOutChannels[i]} is not divisible by norm_num_groups {GroupCount}");
                    Require(heads[i] > 0 && BlockOutChannels[i] % heads[i] == 0, $"block_out_channels[{i}] = {BlockOutChannels[i]} is not divisible by its {heads[i]} attention heads");
                }
            }
            catch (InvalidDataException e)
            {
                problems.Add(e.Message);
            }
        }
        if (problems.Count > 0)
            throw new InvalidDataException("unsupported UNet config: " + string.Join("; ", problems));
    }
}
