using System.Text.Json.Serialization;
using DiffusionTune.Models.Configuration;

namespace DiffusionTune.Models.Vae;

/// <summary>The fields of a diffusers <c>vae/config.json</c> (AutoencoderKL); defaults are diffusers' own.</summary>
public sealed record AutoencoderKLConfig : IModelConfig
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

    /// <summary>
    /// The sane range of every numeric field: generous around every SD release (SD's VAE has channels 128 to 512, 2
    /// layers per block, 4 latent channels), tight enough that no value can make it negative-sized or absurdly large.
    /// </summary>
    public static IReadOnlyList<FieldRange<AutoencoderKLConfig>> Ranges { get; } =
    [
        FieldRange<AutoencoderKLConfig>.Scalar("in_channels", 1, 64, c => c.InChannels),
        FieldRange<AutoencoderKLConfig>.Scalar("out_channels", 1, 64, c => c.OutChannels),
        FieldRange<AutoencoderKLConfig>.List("block_out_channels", 1, 8192, c => c.BlockOutChannels),
        FieldRange<AutoencoderKLConfig>.Scalar("layers_per_block", 1, 16, c => c.LayersPerBlock),
        FieldRange<AutoencoderKLConfig>.Scalar("latent_channels", 1, 64, c => c.LatentChannels),
        FieldRange<AutoencoderKLConfig>.Scalar("norm_num_groups", 1, 8192, c => c.NormNumGroups),
        FieldRange<AutoencoderKLConfig>.Scalar("sample_size", 1, 16384, c => c.SampleSize),
        FieldRange<AutoencoderKLConfig>.Scalar("scaling_factor", 1e-4, 1e3, c => c.ScalingFactor),
        FieldRange<AutoencoderKLConfig>.Scalar("shift_factor", -1e3, 1e3, c => c.ShiftFactor),
    ];

    /// <summary>Most levels (entries of block_out_channels) a VAE may have; SD's has 4.</summary>
    public const int MaxLevels = 8;

    /// <summary>Throws <see cref="InvalidDataException"/> naming every field whose value is out of range or that this implementation does not support.</summary>
    public void Validate()
    {
        var problems = new ConfigProblems("VAE");
        problems.CheckRanges(this, Ranges);
        problems.Require(Levels is > 0 and <= MaxLevels, $"block_out_channels has {Levels} entries; 1 to {MaxLevels} levels are supported");
        problems.Require(ClassName == "AutoencoderKL", $"_class_name is '{ClassName}', expected AutoencoderKL");
        problems.Require(DownBlockTypes.Length == Levels && DownBlockTypes.All(t => t == "DownEncoderBlock2D"), "down_block_types must be one DownEncoderBlock2D per level");
        problems.Require(UpBlockTypes.Length == Levels && UpBlockTypes.All(t => t == "UpDecoderBlock2D"), "up_block_types must be one UpDecoderBlock2D per level");
        problems.Require(ActFn == "silu", $"act_fn '{ActFn}': only silu is supported");
        problems.Require(LatentsMean is null && LatentsStd is null, "per-channel latents_mean / latents_std are not supported");
        if (problems.None)
        {
            for (int i = 0; i < Levels; i++)
                problems.Require(BlockOutChannels[i] % NormNumGroups == 0, $"block_out_channels[{i}] = {BlockOutChannels[i]} is not divisible by norm_num_groups {NormNumGroups}");
        }
        problems.ThrowIfAny();
    }

    /// <summary>The shapes and module counts the diffusers weights of this config have: channels in, out and latent, each level's width, the depth.</summary>
    public IEnumerable<FieldEvidence> WeightsEvidence()
    {
        yield return new TensorDimension("in_channels", InChannels, "encoder.conv_in.weight", 1);
        yield return new TensorDimension("out_channels", OutChannels, "decoder.conv_out.weight", 0);
        yield return new TensorDimension("latent_channels", LatentChannels, "decoder.conv_in.weight", 1);
        yield return new ModuleCount("the number of block_out_channels entries", Levels, "encoder.down_blocks.");
        yield return new ModuleCount("layers_per_block", LayersPerBlock, "encoder.down_blocks.0.resnets.");
        for (int i = 0; i < Levels; i++)
            yield return new TensorDimension(FieldEvidence.Entry("block_out_channels", Levels, i), BlockOutChannels[i], $"encoder.down_blocks.{i}.resnets.0.conv1.weight", 0);
    }
}
