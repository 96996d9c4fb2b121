using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Formats;

public class DiffusersNamesTests
{
    [Fact]
    public void Legacy_VAE_attention_names_and_conv_shapes_become_the_current_ones()
    {
        using var scope = NewDisposeScope();
        const string block = "decoder.mid_block.attentions.0.";
        var tensors = new Dictionary<string, Tensor>
        {
            [block + "group_norm.weight"] = randn(8),
            [block + "query.weight"] = randn(8, 8),
            [block + "query.bias"] = randn(8),
            [block + "key.weight"] = randn(8, 8, 1, 1),
            [block + "value.weight"] = randn(8, 8),
            [block + "proj_attn.weight"] = randn(8, 8, 1, 1),
            [block + "proj_attn.bias"] = randn(8),
            ["encoder.mid_block.attentions.0.to_q.weight"] = randn(8, 8, 1, 1),
            ["encoder.mid_block.attentions.0.to_out.0.weight"] = randn(8, 8),
        };
        var normalized = DiffusersNames.Normalize(ModelComponent.Vae, tensors.Keys);

        Assert.Empty(normalized.Ignored);
        Assert.Empty(normalized.Conflicts);
        var loaded = normalized.Plan.Load(tensors);
        string[] expected =
        [
            block + "group_norm.weight", block + "to_q.weight", block + "to_q.bias", block + "to_k.weight", block + "to_v.weight",
            block + "to_out.0.weight", block + "to_out.0.bias", "encoder.mid_block.attentions.0.to_q.weight", "encoder.mid_block.attentions.0.to_out.0.weight",
        ];
        Assert.Equal(expected, loaded.Keys);
        using var keyAsLinear = tensors[block + "key.weight"].reshape(8, 8);
        FormatTestData.AssertBitIdentical(keyAsLinear, loaded[block + "to_k.weight"], "to_k");
        FormatTestData.AssertBitIdentical(tensors[block + "query.weight"], loaded[block + "to_q.weight"], "to_q");
        Assert.All(loaded.Where(p => p.Key.EndsWith(".weight") && !p.Key.Contains("norm")), p => Assert.Equal(2, p.Value.dim()));
    }

    [Fact]
    public void Both_spellings_of_one_tensor_conflict()
    {
        var normalized = DiffusersNames.Normalize(ModelComponent.Vae, ["encoder.mid_block.attentions.0.to_q.bias", "encoder.mid_block.attentions.0.query.bias"]);

        Assert.Equal(["encoder.mid_block.attentions.0.to_q.bias"], normalized.Plan.Targets);
        Assert.Equal(["encoder.mid_block.attentions.0.query.bias"], normalized.Conflicts);
    }

    [Fact]
    public void Text_encoder_position_ids_are_ignored_and_missing_text_model_levels_added()
    {
        var normalized = DiffusersNames.Normalize(ModelComponent.TextEncoder,
        [
            "embeddings.position_ids",
            "embeddings.token_embedding.weight",
            "encoder.layers.0.mlp.fc1.weight",
            "final_layer_norm.bias",
            "text_model.embeddings.position_ids",
            "text_model.encoder.layers.1.mlp.fc1.weight",
        ]);

        Assert.Equal(["embeddings.position_ids", "text_model.embeddings.position_ids"], normalized.Ignored);
        Assert.Equal(
            ["text_model.embeddings.token_embedding.weight", "text_model.encoder.layers.0.mlp.fc1.weight", "text_model.final_layer_norm.bias", "text_model.encoder.layers.1.mlp.fc1.weight"],
            normalized.Plan.Targets);
    }

    [Fact]
    public void The_reference_diffusers_files_need_nothing_but_dropping_position_ids()
    {
        foreach (var (component, path) in new[]
        {
            (ModelComponent.UNet, new[] { "unet", "diffusion_pytorch_model.safetensors" }),
            (ModelComponent.Vae, ["vae", "diffusion_pytorch_model.safetensors"]),
            (ModelComponent.TextEncoder, ["text_encoder", "model.safetensors"]),
        })
        {
            using var file = SafetensorsFile.Open(TestPaths.Fixture(path));
            var normalized = DiffusersNames.Normalize(component, file);
            Assert.Empty(normalized.Conflicts);
            Assert.All(normalized.Plan.Recipes, r => Assert.Equal([r.Target], r.Sources));
            Assert.Equal(component == ModelComponent.TextEncoder ? ["text_model.embeddings.position_ids"] : Array.Empty<string>(), normalized.Ignored);
            normalized.Plan.TargetShapes(file);
        }
    }
}
