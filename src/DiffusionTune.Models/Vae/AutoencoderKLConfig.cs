using System.Text.Json.Serialization;

namespace DiffusionTune.Models.Vae;

/// <summary>The fields of a diffusers <c>vae/config.json</c> (AutoencoderKL); defaults are diffusers' own.</summary>
public sealed record AutoencoderKLConfig
{
    [JsonPropertyName("_class_name")] public string ClassName { get; init; } = "AutoencoderKL";
    [JsonPropertyName("in_channels")] public int InChannels { get; init; } = 3;
    [JsonPropertyName("out_channels")] public int OutChannels { get; init; } = 3;
    [JsonPropertyName("down_block_types")] public string[] DownBlockTypes { get; init; } = ["DownEncoderBlock2D"];
    [JsonPropertyName("up_block_types")] public string[] UpBlockTypes { get; init; } = ["UpDecoderBlock2D"];
    [JsonPropertyName("block_out_channels")] public int[] BlockOutChannels { get; init; } = [64];
    [JsonPropertyName("layers_per_block")] public int LayersPerBlock { get; init; } = 1;
    [JsonPropertyName("act_fn")] public string ActFn { get; init; } = "silu";
    [JsonPropertyName("latent_channels")] public int LatentChannels { get; init; } = 4;
    [JsonPropertyName("norm_num_groups")] public int NormNumGroups { get; init; } = 32;
    [JsonPropertyName("sample_size")] public int SampleSize { get; init; } = 32;
    [JsonPropertyName("scaling_factor")] public double ScalingFactor { get; init; } = 0.18215;
    [JsonPropertyName("shift_factor")] public double? ShiftFactor { get; init; }
    [JsonPropertyName("force_upcast")] public bool ForceUpcast { get; init; } = true;
    [JsonPropertyName("use_quant_conv")] public bool UseQuantConv { get; init; } = true;
    [JsonPropertyName("use_post_quant_conv")] public bool UsePostQuantConv { get; init; } = true;
    [JsonPropertyName("mid_block_add_attention")] public bool MidBlockAddAttention { get; init; } = true;
    [JsonPropertyName("latents_mean")] public double[]? LatentsMean { get; init; }
    [JsonPropertyName("latents_std")] public double[]? LatentsStd { get; init; }

    [JsonIgnore] public int Levels => BlockOutChannels.Length;

    /// <summary>How many times the encoder halves the image size.</summary>
    [JsonIgnore] public int DownsamplingFactor => 1 << (Levels - 1);

    public void Validate()
    {
        var problems = new List<string>();
        void Require(bool ok, string problem) { if (!ok) problems.Add(problem); }
        Require(ClassName == "AutoencoderKL", $"_class_name is '{ClassName}', expected AutoencoderKL");
        Require(Levels > 0, "block_out_channels is empty");
        Require(DownBlockTypes.Length == Levels && DownBlockTypes.All(t => t == "DownEncoderBlock2D"), "down_block_types must be one DownEncoderBlock2D per level");
        Require(UpBlockTypes.Length == Levels && UpBlockTypes.All(t => t == "UpDecoderBlock2D"), "up_block_types must be one UpDecoderBlock2D per level");
        Require(ActFn == "silu", $"act_fn '{ActFn}': only silu is supported");
        Require(LayersPerBlock > 0, "layers_per_block must be positive");
        Require(NormNumGroups > 0 && BlockOutChannels.All(c => c % NormNumGroups == 0), $"every block_out_channels entry must be divisible by norm_num_groups {NormNumGroups}");
        Require(LatentsMean is null && LatentsStd is null, "per-channel latents_mean / latents_std are not supported");
        if (problems.Count > 0)
            throw new InvalidDataException("unsupported VAE config: " + string.Join("; ", problems));
    }
}
