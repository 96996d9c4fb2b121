using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using DiffusionTune.IO;
using DiffusionTune.Models.Clip;
using DiffusionTune.Models.Configuration;
using DiffusionTune.Models.Loading;
using DiffusionTune.Models.Unet;
using DiffusionTune.Models.Vae;
using DiffusionTune.Tests.Cli;
using DiffusionTune.Tests.Pipelines;

namespace DiffusionTune.Tests.Models;

/// <summary>
/// Every numeric field of the UNet, VAE and text-encoder configs has a sane range, checked when the config is read and
/// before anything is allocated: random values within the ranges validate, any value outside is refused naming the file
/// and the field, and a config that does not fit its weights is refused by field before the model is built.
/// </summary>
public class ConfigBoundsTests
{
    const int DrawsPerField = 12;
    const string Origin = "bad/config.json";

    [Fact]
    public void A_unet_field_out_of_its_range_is_refused_naming_the_file_and_the_field() =>
        RefusesEveryFieldOutOfRange(RandomTinyModel.UnetConfig, UNet2DConditionModelConfig.Ranges, seed: 1);

    [Fact]
    public void A_vae_field_out_of_its_range_is_refused_naming_the_file_and_the_field() =>
        RefusesEveryFieldOutOfRange(RandomTinyModel.VaeConfig, AutoencoderKLConfig.Ranges, seed: 2);

    [Fact]
    public void A_text_encoder_field_out_of_its_range_is_refused_naming_the_file_and_the_field() =>
        RefusesEveryFieldOutOfRange(RandomTinyModel.TextEncoderConfig, ClipTextConfig.Ranges, seed: 3);

    [Fact]
    public void Random_unet_configs_within_the_ranges_validate_and_read_back()
    {
        var random = new Random(4);
        for (int draw = 0; draw < 300; draw++)
        {
            var config = RandomUnet(random);
            config.Validate();
            Assert.Equal(ModelConfigFile.Serialize(config), ModelConfigFile.Serialize(ModelConfigFile.Parse<UNet2DConditionModelConfig>(ModelConfigFile.Serialize(config), Origin)));
        }
    }

    [Fact]
    public void Random_vae_and_text_encoder_configs_within_the_ranges_validate_and_read_back()
    {
        var random = new Random(5);
        for (int draw = 0; draw < 300; draw++)
        {
            var vae = RandomVae(random);
            vae.Validate();
            Assert.Equal(ModelConfigFile.Serialize(vae), ModelConfigFile.Serialize(ModelConfigFile.Parse<AutoencoderKLConfig>(ModelConfigFile.Serialize(vae), Origin)));
            var textEncoder = RandomTextEncoder(random);
            textEncoder.Validate();
            Assert.Equal(ModelConfigFile.Serialize(textEncoder), ModelConfigFile.Serialize(ModelConfigFile.Parse<ClipTextConfig>(ModelConfigFile.Serialize(textEncoder), Origin)));
        }
    }

    [Fact]
    public void The_largest_text_encoder_within_the_ranges_builds_on_the_meta_device_without_allocating()
    {
        // 2^20 × 16384 floats would be 64 GiB: building it at all proves the meta build allocates nothing for its tables.
        var config = RandomTinyModel.TextEncoderConfig with
        {
            VocabSize = Max(ClipTextConfig.Ranges, "vocab_size"),
            HiddenSize = Max(ClipTextConfig.Ranges, "hidden_size"),
            MaxPositionEmbeddings = Max(ClipTextConfig.Ranges, "max_position_embeddings"),
            NumHiddenLayers = 1,
        };
        using var model = MetaDevice.Build(() => new ClipTextModel(config));
        Assert.All(model.parameters(), p => Assert.Equal(TorchSharp.DeviceType.META, p.device_type));
    }

    [Fact]
    public void The_deepest_unet_within_the_ranges_builds_on_the_meta_device_in_bounded_time()
    {
        var deepest = RandomTinyModel.UnetConfig with
        {
            LayersPerBlock = [Max(UNet2DConditionModelConfig.Ranges, "layers_per_block")],
            TransformerLayersPerBlock = [Max(UNet2DConditionModelConfig.Ranges, "transformer_layers_per_block")],
        };
        var clock = Stopwatch.StartNew();
        using var model = MetaDevice.Build(() => new UNet2DConditionModel(deepest));
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"building took {clock.Elapsed}");
        Assert.All(model.parameters(), p => Assert.Equal(TorchSharp.DeviceType.META, p.device_type));
    }

    [Fact]
    public void A_config_that_does_not_fit_its_weights_is_refused_by_field_before_the_model_is_built()
    {
        var folder = RandomTinyModel.SaveDiffusers(seed: 2);
        string Refusal(string component, string field, JsonNode value, Action<string> load)
        {
            var config = Path.Combine(folder, component, "config.json");
            var original = File.ReadAllText(config);
            var json = JsonNode.Parse(original)!.AsObject();
            json[field] = value;
            File.WriteAllText(config, json.ToJsonString());
            try
            {
                var error = Assert.Throws<ModelFileException>(() => load(Path.Combine(folder, component)));
                Assert.Equal(config, error.FilePath);
                return error.Problem;
            }
            finally
            {
                File.WriteAllText(config, original);
            }
        }

        var weights = Path.Combine(folder, "text_encoder", "model.safetensors");
        Assert.Equal($"does not fit {weights}: hidden_size is 64 but text_model.embeddings.token_embedding.weight is [{RandomTinyModel.TextEncoderConfig.VocabSize}, 32]",
            Refusal("text_encoder", "hidden_size", 64, f => ClipTextModel.FromPretrained(f).Dispose()));
        Assert.EndsWith("num_hidden_layers is 3 but the weights hold 2 text_model.encoder.layers.N module(s)",
            Refusal("text_encoder", "num_hidden_layers", 3, f => ClipTextModel.FromPretrained(f).Dispose()));
        // One value for every level disagrees at every level; it is said once.
        Assert.EndsWith("layers_per_block is 2 but the weights hold 1 down_blocks.0.resnets.N module(s)",
            Refusal("unet", "layers_per_block", 2, f => UNet2DConditionModel.FromPretrained(f).Dispose()));
        Assert.EndsWith("cross_attention_dim is 48 but down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight is [64, 32]",
            Refusal("unet", "cross_attention_dim", 48, f => UNet2DConditionModel.FromPretrained(f).Dispose()));
        Assert.EndsWith("latent_channels is 8 but decoder.conv_in.weight is [64, 4, 3, 3]",
            Refusal("vae", "latent_channels", 8, f => AutoencoderKL.FromPretrained(f).Dispose()));
    }

    [Theory]
    [InlineData("unet", "layers_per_block", 1000000000, "unsupported UNet config: layers_per_block = 1000000000 is out of range (1 to 16)")]
    [InlineData("unet", "sample_size", 10000000, "unsupported UNet config: sample_size = 10000000 is out of range (1 to 256)")]
    [InlineData("text_encoder", "hidden_size", 1000000000, "unsupported text encoder config: hidden_size = 1000000000 is out of range (1 to 16384)")]
    public void Generate_with_an_absurd_config_prints_one_error_naming_the_file_and_the_field(string component, string field, int value, string problem)
    {
        var folder = RandomTinyModel.SaveDiffusers(seed: 1);
        var config = Path.Combine(folder, component, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json[field] = value;
        File.WriteAllText(config, json.ToJsonString());

        var run = CliProcess.Run(["generate", "--model", folder, "--prompt", "a star", "--steps", "1", "--device", "cpu"], folder, TimeSpan.FromMinutes(2));

        Assert.Equal(1, run.ExitCode);
        Assert.False(run.Crashed, run.Output);
        Assert.DoesNotContain("   at ", run.Output);
        // The console wraps long lines at its width (inside the path, too); the message is one line before that.
        static string Unwrapped(string text) => Regex.Replace(text, @"\s+", "");
        Assert.True(Unwrapped(run.Output).Contains(Unwrapped($"error: {config}: {problem}"), StringComparison.Ordinal), run.Output);
        Assert.Single(Regex.Matches(run.Output, "error:"));
    }

    /// <summary>
    /// For each range, values below and above it (for a list, in one entry of it), and NaN and ±∞ for fractional
    /// fields, each put into an otherwise valid config's JSON: every one is refused by <see cref="ModelConfigFile.Parse{T}"/>,
    /// naming the file and the field.
    /// </summary>
    static void RefusesEveryFieldOutOfRange<TConfig>(TConfig valid, IReadOnlyList<FieldRange<TConfig>> ranges, int seed) where TConfig : class, IModelConfig
    {
        var random = new Random(seed);
        var validJson = JsonNode.Parse(ModelConfigFile.Serialize(valid))!.AsObject();
        foreach (var range in ranges)
        {
            var type = FieldType<TConfig>(range.Field);
            bool integer = Nullable.GetUnderlyingType(type) == typeof(int) || type == typeof(int) || type == typeof(int[]);
            var values = Enumerable.Range(0, DrawsPerField).Select(_ => OutOfRange(random, range.Min, range.Max, integer)).ToList();
            if (!integer) values.AddRange([double.NaN, double.PositiveInfinity, double.NegativeInfinity]);
            foreach (var value in values)
            {
                var json = validJson.DeepClone().AsObject();
                JsonNode bad = integer ? JsonValue.Create((int)value) : JsonValue.Create(value);
                if (json[range.Field] is JsonArray list)
                    list[random.Next(list.Count)] = bad;
                else
                    json[range.Field] = bad;
                var error = Assert.Throws<ModelFileException>(() => ModelConfigFile.Parse<TConfig>(json.ToJsonString(ModelConfigFile.Options), Origin));
                Assert.Equal(Origin, error.FilePath);
                Assert.Matches($@"(^|; ){Regex.Escape(range.Field)}(\[\d+\])? = \S+ is out of range", error.Problem[(error.Problem.IndexOf(':') + 2)..]);
            }
        }
    }

    /// <summary>A value outside [<paramref name="min"/>, <paramref name="max"/>]: just outside, or far (to the edge of int for integer fields).</summary>
    static double OutOfRange(Random random, double min, double max, bool integer)
    {
        bool below = random.Next(2) == 0 && (!integer || min > int.MinValue);
        if (integer)
            return below ? random.NextInt64(int.MinValue, (long)min) : random.NextInt64((long)max + 1, (long)int.MaxValue + 1);
        double span = Math.Max(Math.Abs(below ? min : max), 1) * Math.Pow(10, random.Next(-3, 6));
        return below ? min - span : max + span;
    }

    static Type FieldType<TConfig>(string field) =>
        typeof(TConfig).GetProperties().Single(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name == field).PropertyType;

    static int Max<TConfig>(IReadOnlyList<FieldRange<TConfig>> ranges, string field) => (int)Range(ranges, field).Max;

    static FieldRange<TConfig> Range<TConfig>(IReadOnlyList<FieldRange<TConfig>> ranges, string field) => ranges.Single(r => r.Field == field);

    /// <summary>A whole number drawn uniformly from the field's range (or up to <paramref name="cap"/>).</summary>
    static int Whole<TConfig>(Random random, IReadOnlyList<FieldRange<TConfig>> ranges, string field, double cap = double.MaxValue)
    {
        var range = Range(ranges, field);
        return (int)random.NextInt64((long)range.Min, (long)Math.Min(range.Max, cap) + 1);
    }

    /// <summary>A fraction drawn from the field's range, log-uniformly where it spans decades.</summary>
    static double Fraction<TConfig>(Random random, IReadOnlyList<FieldRange<TConfig>> ranges, string field)
    {
        var range = Range(ranges, field);
        if (range.Min <= 0) return range.Min + random.NextDouble() * (range.Max - range.Min);
        return Math.Exp(Math.Log(range.Min) + random.NextDouble() * (Math.Log(range.Max) - Math.Log(range.Min)));
    }

    /// <summary>
    /// A random UNet within the ranges whose coupled fields agree: each level's channels a multiple of the group count
    /// and of its heads, freq_shift below half the first level's channels, odd kernels.
    /// </summary>
    static UNet2DConditionModelConfig RandomUnet(Random random)
    {
        var ranges = UNet2DConditionModelConfig.Ranges;
        int levels = random.Next(1, UNet2DConditionModelConfig.MaxLevels + 1);
        int groups = Whole(random, ranges, "norm_num_groups", cap: 64);
        var heads = Enumerable.Range(0, levels).Select(_ => Whole(random, ranges, "attention_head_dim", cap: 16)).ToArray();
        var channels = heads.Select(h =>
        {
            int unit = (int)LeastCommonMultiple(groups, h);
            return unit * random.Next(1, Max(ranges, "block_out_channels") / unit + 1);
        }).ToArray();
        channels[0] = Math.Max(channels[0], 2 * (int)LeastCommonMultiple(groups, heads[0]));
        string[] downTypes = [.. Enumerable.Range(0, levels).Select(_ => random.Next(2) == 0 ? "CrossAttnDownBlock2D" : "DownBlock2D")];
        string[] upTypes = [.. Enumerable.Range(0, levels).Select(_ => random.Next(2) == 0 ? "CrossAttnUpBlock2D" : "UpBlock2D")];
        int PerLevelCount() => random.Next(2) == 0 ? 1 : levels;
        int Odd(string field) => Whole(random, ranges, field) | 1;
        return new UNet2DConditionModelConfig
        {
            SampleSize = Whole(random, ranges, "sample_size"),
            InChannels = Whole(random, ranges, "in_channels"),
            OutChannels = Whole(random, ranges, "out_channels"),
            FreqShift = random.Next(0, channels[0] / 2),
            DownBlockTypes = downTypes,
            UpBlockTypes = upTypes,
            BlockOutChannels = channels,
            LayersPerBlock = [.. Enumerable.Range(0, PerLevelCount()).Select(_ => Whole(random, ranges, "layers_per_block"))],
            DownsamplePadding = Whole(random, ranges, "downsample_padding"),
            MidBlockScaleFactor = Fraction(random, ranges, "mid_block_scale_factor"),
            Dropout = Fraction(random, ranges, "dropout"),
            NormNumGroups = groups,
            NormEps = Fraction(random, ranges, "norm_eps"),
            CrossAttentionDim = [.. Enumerable.Range(0, PerLevelCount()).Select(_ => Whole(random, ranges, "cross_attention_dim"))],
            TransformerLayersPerBlock = [.. Enumerable.Range(0, PerLevelCount()).Select(_ => Whole(random, ranges, "transformer_layers_per_block"))],
            AttentionHeadDim = heads,
            ResnetOutScaleFactor = Fraction(random, ranges, "resnet_out_scale_factor"),
            TimeEmbeddingDim = random.Next(2) == 0 ? null : Whole(random, ranges, "time_embedding_dim"),
            TimeCondProjDim = random.Next(2) == 0 ? null : Whole(random, ranges, "time_cond_proj_dim"),
            ConvInKernel = Odd("conv_in_kernel"),
            ConvOutKernel = Odd("conv_out_kernel"),
        };
    }

    static AutoencoderKLConfig RandomVae(Random random)
    {
        var ranges = AutoencoderKLConfig.Ranges;
        int levels = random.Next(1, AutoencoderKLConfig.MaxLevels + 1);
        int groups = Whole(random, ranges, "norm_num_groups", cap: 64);
        return new AutoencoderKLConfig
        {
            InChannels = Whole(random, ranges, "in_channels"),
            OutChannels = Whole(random, ranges, "out_channels"),
            DownBlockTypes = [.. Enumerable.Repeat("DownEncoderBlock2D", levels)],
            UpBlockTypes = [.. Enumerable.Repeat("UpDecoderBlock2D", levels)],
            BlockOutChannels = [.. Enumerable.Range(0, levels).Select(_ => groups * random.Next(1, Max(ranges, "block_out_channels") / groups + 1))],
            LayersPerBlock = Whole(random, ranges, "layers_per_block"),
            LatentChannels = Whole(random, ranges, "latent_channels"),
            NormNumGroups = groups,
            SampleSize = Whole(random, ranges, "sample_size"),
            ScalingFactor = Fraction(random, ranges, "scaling_factor"),
            ShiftFactor = random.Next(2) == 0 ? null : Fraction(random, ranges, "shift_factor"),
        };
    }

    static ClipTextConfig RandomTextEncoder(Random random)
    {
        var ranges = ClipTextConfig.Ranges;
        int heads = Whole(random, ranges, "num_attention_heads", cap: 64);
        return new ClipTextConfig
        {
            VocabSize = Whole(random, ranges, "vocab_size"),
            HiddenSize = heads * random.Next(1, Max(ranges, "hidden_size") / heads + 1),
            IntermediateSize = Whole(random, ranges, "intermediate_size"),
            ProjectionDim = Whole(random, ranges, "projection_dim"),
            NumHiddenLayers = Whole(random, ranges, "num_hidden_layers"),
            NumAttentionHeads = heads,
            MaxPositionEmbeddings = Whole(random, ranges, "max_position_embeddings"),
            HiddenAct = random.Next(2) == 0 ? "gelu" : "quick_gelu",
            LayerNormEps = Fraction(random, ranges, "layer_norm_eps"),
            AttentionDropout = Fraction(random, ranges, "attention_dropout"),
            Dropout = Fraction(random, ranges, "dropout"),
            InitializerRange = Fraction(random, ranges, "initializer_range"),
            InitializerFactor = Fraction(random, ranges, "initializer_factor"),
            PadTokenId = Whole(random, ranges, "pad_token_id"),
            BosTokenId = Whole(random, ranges, "bos_token_id"),
            EosTokenId = Whole(random, ranges, "eos_token_id"),
        };
    }

    static long LeastCommonMultiple(long a, long b)
    {
        long gcd = a, other = b;
        while (other != 0) (gcd, other) = (other, gcd % other);
        return a / gcd * b;
    }
}
