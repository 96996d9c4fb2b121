using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using static DiffusionTune.Tests.Adapters.AdapterTestData;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Adapters;

public class LoraReadErrorTests
{
    const string CrossKeyName = "lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn2_to_k";

    [Fact]
    public void A_lora_for_other_shapes_names_the_file_the_key_and_both_shapes()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        // A cross-attention LoRA made for 48-wide text features, as an SD 2.x LoRA is for an SD 1.x model.
        var path = Write("other-base.safetensors", new Dictionary<string, Tensor>
        {
            [CrossKeyName + ".lora_down.weight"] = Noise(4, 48),
            [CrossKeyName + ".lora_up.weight"] = Noise(64, 4),
            [CrossKeyName + ".alpha"] = tensor(4f),
        });

        var error = Assert.Throws<ModelFileException>(() => LoraNetwork.Read(path, layers.Targets));
        Assert.Equal(
            $"{path}: '{CrossKeyName}.lora_down.weight' has shape [4, 48], which does not fit unet/{CrossAttentionKey} (weight shape [64, 32])",
            error.Message);
    }

    [Fact]
    public void Mismatched_ranks_within_a_layer_are_named_too()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var path = Write("ranks.safetensors", new Dictionary<string, Tensor>
        {
            [$"unet.{CrossAttentionKey}.lora_A.weight"] = Noise(4, 32),
            [$"unet.{CrossAttentionKey}.lora_B.weight"] = Noise(64, 8),
        });
        var error = Assert.Throws<ModelFileException>(() => LoraNetwork.Read(path, layers.Targets));
        Assert.Equal($"{path}: 'unet.{CrossAttentionKey}.lora_B.weight' has shape [64, 8], whose rank 8 differs from the Down tensor's 4", error.Message);
    }

    [Fact]
    public void Unknown_and_unmatched_keys_are_listed_and_skipped()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        const string tucker = "lora_unet_down_blocks_0_resnets_0_conv2";
        var path = Write("mixed.safetensors", new Dictionary<string, Tensor>
        {
            [CrossKeyName + ".lora_down.weight"] = Noise(4, 32),
            [CrossKeyName + ".lora_up.weight"] = Noise(64, 4),
            // A Tucker LoCon layer: lora_mid is not supported, so its whole layer is skipped.
            [tucker + ".lora_down.weight"] = Noise(2, 32, 1, 1),
            [tucker + ".lora_mid.weight"] = Noise(2, 2, 3, 3),
            [tucker + ".lora_up.weight"] = Noise(32, 2, 1, 1),
            // Half a layer.
            ["lora_te_text_model_encoder_layers_0_mlp_fc2.lora_up.weight"] = Noise(32, 2),
            // Not a LoRA key at all.
            ["emb_params"] = Noise(2, 32),
            // Layers this model lacks: a deeper text encoder, and an SDXL UNet name.
            ["lora_te_text_model_encoder_layers_11_mlp_fc2.lora_down.weight"] = Noise(2, 37),
            ["lora_te_text_model_encoder_layers_11_mlp_fc2.lora_up.weight"] = Noise(32, 2),
            ["lora_unet_input_blocks_4_1_proj_in.alpha"] = tensor(1f),
        });

        using var network = LoraNetwork.Read(path, layers.Targets);
        Assert.Equal(CrossAttentionKey, network.Layers.Single().Target.Name);
        Assert.Equal(
            new[]
            {
                "emb_params", tucker + ".lora_mid.weight", tucker + ".lora_down.weight", tucker + ".lora_up.weight",
                "lora_te_text_model_encoder_layers_0_mlp_fc2.lora_up.weight",
            }.Order(),
            network.UnknownKeys.Order());
        Assert.Equal(
            new[]
            {
                "lora_te_text_model_encoder_layers_11_mlp_fc2.lora_down.weight", "lora_te_text_model_encoder_layers_11_mlp_fc2.lora_up.weight",
                "lora_unet_input_blocks_4_1_proj_in.alpha",
            }.Order(),
            network.UnmatchedKeys.Order());
    }

    [Fact]
    public void A_file_that_adapts_nothing_in_the_model_is_refused()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var sdxl = Write("sdxl.safetensors", new Dictionary<string, Tensor>
        {
            ["lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q.lora_down.weight"] = Noise(4, 640),
            ["lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q.lora_up.weight"] = Noise(640, 4),
        });
        var error = Assert.Throws<ModelFileException>(() => LoraNetwork.Read(sdxl, layers.Targets));
        Assert.Contains("adapts no layer of this model", error.Message);
        Assert.Contains("lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q", error.Message);

        var embedding = Write("embedding.safetensors", new Dictionary<string, Tensor> { ["emb_params"] = Noise(2, 32) });
        error = Assert.Throws<ModelFileException>(() => LoraNetwork.Read(embedding, layers.Targets));
        Assert.Contains("holds no complete LoRA layer of a known format", error.Message);
    }

    /// <summary>A kohya layer for the cross-attention key; <paramref name="change"/> may spoil one of its tensors.</summary>
    static string WriteLayer(string name, Action<Dictionary<string, Tensor>> change)
    {
        var tensors = new Dictionary<string, Tensor>
        {
            [CrossKeyName + ".lora_down.weight"] = Noise(4, 32),
            [CrossKeyName + ".lora_up.weight"] = Noise(64, 4),
            [CrossKeyName + ".alpha"] = tensor(4f),
        };
        change(tensors);
        return Write(name, tensors);
    }

    [Theory]
    [InlineData(".alpha", 0, float.NaN, 1)]
    [InlineData(".lora_down.weight", 5, float.NaN, 1)]
    [InlineData(".lora_down.weight", 7, float.PositiveInfinity, 3)]
    [InlineData(".lora_up.weight", 0, float.NegativeInfinity, 2)]
    public void A_lora_tensor_holding_nan_or_inf_is_refused_naming_the_file_the_tensor_and_the_count(string suffix, int at, float value, int count)
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var path = WriteLayer("broken.safetensors", tensors =>
        {
            var flat = tensors[CrossKeyName + suffix].view(-1);
            for (int i = 0; i < count; i++) flat[at + i] = value;
        });
        var error = Assert.Throws<ModelFileException>(() => LoraNetwork.Read(path, layers.Targets));
        Assert.Equal($"{path}: tensor '{CrossKeyName}{suffix}' has {count} non-finite value{(count == 1 ? "" : "s")} (NaN/Inf)", error.Message);
    }

    [Theory]
    [InlineData(".lora_down.weight", ScalarType.Int32, "I32", "a LoRA factor must be floating-point")]
    [InlineData(".lora_up.weight", ScalarType.Int8, "I8", "a LoRA factor must be floating-point")]
    [InlineData(".lora_up.weight", ScalarType.Bool, "BOOL", "a LoRA factor must be floating-point")]
    [InlineData(".alpha", ScalarType.Bool, "BOOL", "alpha must be a number")]
    public void A_lora_tensor_of_integer_or_bool_values_is_refused_naming_the_file_the_tensor_and_the_dtype(string suffix, ScalarType dtype, string stored, string rule)
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var path = WriteLayer("integers.safetensors", tensors => tensors[CrossKeyName + suffix] = tensors[CrossKeyName + suffix].to(dtype));
        var error = Assert.Throws<ModelFileException>(() => LoraNetwork.Read(path, layers.Targets));
        Assert.Equal($"{path}: '{CrossKeyName}{suffix}' holds {stored} values; {rule}", error.Message);
    }

    [Fact]
    public void An_integer_alpha_is_a_number_as_kohya_writes_it_when_alpha_defaulted_to_the_rank()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var path = WriteLayer("int-alpha.safetensors", tensors => tensors[CrossKeyName + ".alpha"] = tensor(4L));
        using var network = LoraNetwork.Read(path, layers.Targets);
        Assert.Equal(4.0, network.Layers.Single().Alpha);
    }
}
