using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Formats;

/// <summary>A miniature SD 2.x OpenCLIP text tower (width 4, 3 resblocks) made of random tensors.</summary>
public class OpenClipConversionTests
{
    const int Width = 4;
    const int Resblocks = 3;
    const string Prefix = "cond_stage_model.model.";

    // Like SD 2.x (24 resblocks, 23 used), the target text encoder leaves the last resblock out.
    static readonly StableDiffusionLayout Layout = StableDiffusionLayout.StableDiffusion1 with { TextEncoder = new TextEncoderLayout(Resblocks - 1) };

    static Dictionary<string, Tensor> MiniOpenClip()
    {
        var generator = new Generator(20240601);
        Tensor Random(params long[] shape) => randn(shape, generator: generator);
        var tensors = new Dictionary<string, Tensor>
        {
            [Prefix + "token_embedding.weight"] = Random(10, Width),
            [Prefix + "positional_embedding"] = Random(6, Width),
            [Prefix + "ln_final.weight"] = Random(Width),
            [Prefix + "ln_final.bias"] = Random(Width),
            [Prefix + "text_projection"] = Random(Width, Width),
            [Prefix + "logit_scale"] = Random(),
        };
        for (int layer = 0; layer < Resblocks; layer++)
        {
            var block = $"{Prefix}transformer.resblocks.{layer}.";
            tensors[block + "attn.in_proj_weight"] = Random(3 * Width, Width);
            tensors[block + "attn.in_proj_bias"] = Random(3 * Width);
            tensors[block + "attn.out_proj.weight"] = Random(Width, Width);
            tensors[block + "attn.out_proj.bias"] = Random(Width);
            tensors[block + "ln_1.weight"] = Random(Width);
            tensors[block + "ln_1.bias"] = Random(Width);
            tensors[block + "ln_2.weight"] = Random(Width);
            tensors[block + "ln_2.bias"] = Random(Width);
            tensors[block + "mlp.c_fc.weight"] = Random(2 * Width, Width);
            tensors[block + "mlp.c_fc.bias"] = Random(2 * Width);
            tensors[block + "mlp.c_proj.weight"] = Random(Width, 2 * Width);
            tensors[block + "mlp.c_proj.bias"] = Random(Width);
        }
        return tensors;
    }

    static void Same(Tensor expected, Tensor actual) => FormatTestData.AssertBitIdentical(expected, actual, "tensor");

    [Fact]
    public void Splits_the_fused_projection_into_q_k_v_and_renames_the_rest()
    {
        using var scope = NewDisposeScope();
        var openClip = MiniOpenClip();
        var conversion = CompVisCheckpoint.Split(openClip.Keys, Layout);

        Assert.Empty(conversion.Unknown);
        Assert.Equal(0, conversion.UNet.Count + conversion.Vae.Count);
        var lastBlock = $"{Prefix}transformer.resblocks.{Resblocks - 1}.";
        Assert.Equal(
            openClip.Keys.Where(k => k.StartsWith(lastBlock) || k.EndsWith("text_projection") || k.EndsWith("logit_scale")).Order(),
            conversion.Ignored.Order());
        Assert.Equal(4 + (Resblocks - 1) * 16, conversion.TextEncoder.Count);

        var clip = conversion.TextEncoder.Load(openClip);
        Same(openClip[Prefix + "token_embedding.weight"], clip["text_model.embeddings.token_embedding.weight"]);
        Same(openClip[Prefix + "positional_embedding"], clip["text_model.embeddings.position_embedding.weight"]);
        Same(openClip[Prefix + "ln_final.bias"], clip["text_model.final_layer_norm.bias"]);
        for (int layer = 0; layer < Resblocks - 1; layer++)
        {
            var block = $"{Prefix}transformer.resblocks.{layer}.";
            var target = $"text_model.encoder.layers.{layer}.";
            string[] projections = ["q_proj", "k_proj", "v_proj"];
            for (int i = 0; i < 3; i++)
            {
                Same(openClip[block + "attn.in_proj_weight"][TensorIndex.Slice(i * Width, (i + 1) * Width)], clip[$"{target}self_attn.{projections[i]}.weight"]);
                Same(openClip[block + "attn.in_proj_bias"][TensorIndex.Slice(i * Width, (i + 1) * Width)], clip[$"{target}self_attn.{projections[i]}.bias"]);
                Assert.Equal(new long[] { Width, Width }, clip[$"{target}self_attn.{projections[i]}.weight"].shape);
            }
            Same(openClip[block + "attn.out_proj.weight"], clip[target + "self_attn.out_proj.weight"]);
            Same(openClip[block + "ln_1.weight"], clip[target + "layer_norm1.weight"]);
            Same(openClip[block + "ln_2.bias"], clip[target + "layer_norm2.bias"]);
            Same(openClip[block + "mlp.c_fc.weight"], clip[target + "mlp.fc1.weight"]);
            Same(openClip[block + "mlp.c_proj.bias"], clip[target + "mlp.fc2.bias"]);
        }
    }

    [Fact]
    public void Building_fuses_q_k_v_again_and_round_trips()
    {
        using var scope = NewDisposeScope();
        var openClip = MiniOpenClip();
        var clip = CompVisCheckpoint.Split(openClip.Keys, Layout).TextEncoder.Load(openClip);

        var build = CompVisCheckpoint.Build([], [], clip.Keys, Layout, TextEncoderFormat.OpenClip);
        Assert.Empty(build.Unknown);
        Assert.Empty(build.Ignored);
        var rebuilt = build.TextEncoder.Load(clip);

        var expected = openClip.Where(p => !p.Key.Contains($"resblocks.{Resblocks - 1}.") && !p.Key.EndsWith("text_projection") && !p.Key.EndsWith("logit_scale")).ToList();
        Assert.Equal(expected.Select(p => p.Key).Order(), rebuilt.Keys.Order());
        foreach (var (name, tensor) in expected)
            FormatTestData.AssertBitIdentical(tensor, rebuilt[name], name);
    }

    [Fact]
    public void A_fused_projection_with_a_part_missing_is_reported()
    {
        var names = new[]
        {
            "text_model.encoder.layers.0.self_attn.q_proj.weight",
            "text_model.encoder.layers.0.self_attn.k_proj.weight",
            "text_model.encoder.layers.0.self_attn.q_proj.bias",
            "text_model.encoder.layers.0.self_attn.k_proj.bias",
            "text_model.encoder.layers.0.self_attn.v_proj.bias",
        };
        var build = CompVisCheckpoint.Build([], [], names, Layout, TextEncoderFormat.OpenClip);

        Assert.Equal([Prefix + "transformer.resblocks.0.attn.in_proj_bias"], build.TextEncoder.Targets);
        Assert.Equal(names[..2].Select(n => "text_encoder/" + n), build.Unknown);
    }

    [Fact]
    public void A_fused_projection_that_does_not_divide_by_three_fails_naming_the_file()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(TestPaths.TempFolder(), "bad.safetensors");
        var name = Prefix + "transformer.resblocks.0.attn.in_proj_weight";
        SafetensorsWriter.Save(path, [new(name, zeros(10, Width))]);
        using var file = SafetensorsFile.Open(path);
        var plan = CompVisCheckpoint.Split(file, Layout).TextEncoder;

        var error = Assert.Throws<ModelFileException>(() => plan.TargetShapes(file));
        Assert.Equal(path, error.FilePath);
        Assert.Contains("text_model.encoder.layers.0.self_attn.q_proj.weight", error.Problem);
        Assert.Contains("[10, 4]", error.Problem);
        Assert.Throws<ModelFileException>(() => plan.Load(file));
    }
}
