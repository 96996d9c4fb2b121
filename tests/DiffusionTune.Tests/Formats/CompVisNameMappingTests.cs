using DiffusionTune.IO.Formats;

namespace DiffusionTune.Tests.Formats;

/// <summary>Every manifest and key-map row converts by name and shape, both ways, with no tensor data involved.</summary>
public class CompVisNameMappingTests
{
    public static TheoryData<string> Presets => ["sd15", "tiny"];

    static StableDiffusionLayout LayoutOf(string preset) =>
        preset == "sd15" ? StableDiffusionLayout.StableDiffusion1 : FormatTestData.ManifestLayout(preset);

    [Theory]
    [MemberData(nameof(Presets))]
    public void Every_manifest_row_splits_from_its_CompVis_name(string preset)
    {
        var rows = FormatTestData.Manifest(preset);
        var conversion = CompVisCheckpoint.Split(rows.Select(r => r.CompVis), LayoutOf(preset));

        Assert.Empty(conversion.Unknown);
        Assert.Equal(rows.Where(r => r.IsBuffer).Select(r => r.CompVis), conversion.Ignored);
        var compVisShapes = rows.ToDictionary(r => r.CompVis, r => r.CompVisShape);
        foreach (var component in Enum.GetValues<ModelComponent>())
        {
            var expected = rows.Where(r => r.Component == component && !r.IsBuffer).ToList();
            var plan = conversion[component];
            Assert.Equal(expected.Count, plan.Count);
            var shapes = plan.TargetShapes(name => compVisShapes[name]);
            foreach (var row in expected)
            {
                var recipe = plan.Find(row.Diffusers);
                Assert.True(recipe is not null, $"{row.CompVis} does not make {row.Diffusers}");
                Assert.Equal([row.CompVis], recipe.Sources);
                Assert.Equal(row.Shape, shapes[row.Diffusers]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Every_manifest_row_builds_its_CompVis_name(string preset)
    {
        var rows = FormatTestData.Manifest(preset);
        var conversion = CompVisCheckpoint.Build(
            Names(rows, ModelComponent.UNet), Names(rows, ModelComponent.Vae), Names(rows, ModelComponent.TextEncoder),
            LayoutOf(preset), TextEncoderFormat.Clip);

        Assert.Empty(conversion.Unknown);
        // position_ids is not taken from the source: it is written afresh from the position embedding.
        Assert.Equal(["text_encoder/text_model.embeddings.position_ids"], conversion.Ignored);
        var diffusersShapes = rows.ToDictionary(r => r.Diffusers, r => r.Shape);
        foreach (var component in Enum.GetValues<ModelComponent>())
        {
            var expected = rows.Where(r => r.Component == component).ToList();
            var plan = conversion[component];
            Assert.Equal(expected.Count, plan.Count);
            var shapes = plan.TargetShapes(name => diffusersShapes[name]);
            foreach (var row in expected)
            {
                var recipe = plan.Find(row.CompVis);
                Assert.True(recipe is not null, $"nothing makes {row.CompVis}");
                if (row.IsBuffer)
                    Assert.Equal(TensorTransform.PositionIds, recipe.Transform);
                else
                    Assert.Equal([row.Diffusers], recipe.Sources);
                Assert.Equal(row.CompVisShape, shapes[row.CompVis]);
            }
        }
    }

    [Fact]
    public void Only_the_VAE_mid_attention_weights_change_shape()
    {
        var rows = FormatTestData.Manifest("sd15");
        var reshaped = rows.Where(r => !r.CompVisShape.SequenceEqual(r.Shape)).Select(r => r.Diffusers).ToList();
        Assert.Equal(8, reshaped.Count);
        Assert.All(reshaped, name => Assert.Matches(@"^(en|de)coder\.mid_block\.attentions\.0\.(to_q|to_k|to_v|to_out\.0)\.weight$", name));

        var conversion = CompVisCheckpoint.Split(rows.Select(r => r.CompVis), StableDiffusionLayout.StableDiffusion1);
        Assert.All(reshaped, name => Assert.Equal(TensorTransform.ConvToLinear, conversion.Vae.Find(name)!.Transform));
        Assert.Equal(8, conversion.Vae.Recipes.Count(r => r.Transform != TensorTransform.Identity));
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void CLIP_names_without_the_text_model_level_split_alike(string preset)
    {
        var rows = FormatTestData.Manifest(preset).Where(r => r.Component == ModelComponent.TextEncoder).ToList();
        var flattened = rows.Select(r => r.CompVis.Replace("cond_stage_model.transformer.text_model.", "cond_stage_model.transformer.")).ToList();
        var conversion = CompVisCheckpoint.Split(flattened, LayoutOf(preset));

        Assert.Empty(conversion.Unknown);
        Assert.Equal(["cond_stage_model.transformer.embeddings.position_ids"], conversion.Ignored);
        Assert.Equal(rows.Where(r => !r.IsBuffer).Select(r => r.Diffusers), conversion.TextEncoder.Targets);
    }

    [Fact]
    public void The_SD1_preset_is_the_SD15_config()
    {
        Assert.Equal(StableDiffusionLayout.StableDiffusion1, FormatTestData.ManifestLayout("sd15"));
        Assert.NotEqual(StableDiffusionLayout.StableDiffusion1, FormatTestData.ManifestLayout("tiny"));
    }

    [Fact]
    public void Every_fixture_key_map_row_converts_both_ways()
    {
        var rows = FormatTestData.KeyMap();
        var layout = FormatTestData.FixtureLayout();
        var split = CompVisCheckpoint.Split(rows.Select(r => r.CompVis), layout);

        Assert.Empty(split.Unknown);
        Assert.Equal(rows.Where(r => r.Component == "schedule_buffer" || r.Note.StartsWith("BUFFER")).Select(r => r.CompVis).Order(), split.Ignored.Order());
        var compVisShapes = rows.ToDictionary(r => r.CompVis, r => r.CompVisShape);
        var splitShapes = Enum.GetValues<ModelComponent>().SelectMany(c => split[c].TargetShapes(n => compVisShapes[n])).ToDictionary();

        var components = rows.Where(r => r.Component != "schedule_buffer").GroupBy(r => r.Component).ToDictionary(g => g.Key, g => g.Select(r => r.Diffusers).ToList());
        var build = CompVisCheckpoint.Build(components["unet"], components["vae"], components["text_encoder"], layout, TextEncoderFormat.Clip);
        Assert.Empty(build.Unknown);
        var diffusersShapes = rows.Where(r => r.Component != "schedule_buffer").ToDictionary(r => r.Diffusers, r => r.DiffusersShape);
        var buildShapes = Enum.GetValues<ModelComponent>().SelectMany(c => build[c].TargetShapes(n => diffusersShapes[n])).ToDictionary();

        foreach (var row in rows.Where(r => r.Component != "schedule_buffer"))
        {
            if (!row.Note.StartsWith("BUFFER"))
                Assert.Equal(row.DiffusersShape, splitShapes[row.Diffusers]);
            Assert.Equal(row.CompVisShape, buildShapes[row.CompVis]);
        }
        Assert.Equal(rows.Count - 12, buildShapes.Count);
    }

    [Fact]
    public void Unrecognised_names_are_reported_not_dropped()
    {
        var names = new[]
        {
            "model.diffusion_model.input_blocks.1.0.in_layers.0.weight",
            "model.diffusion_model.input_blocks.1.0.not_a_layer.weight",
            "model.diffusion_model.input_blocks.3.1.norm.weight", // a downsampler slot has no attention
            "model.diffusion_model.input_blocks.12.0.in_layers.0.weight", // past the last level
            "first_stage_model.decoder.up.4.block.0.norm1.weight", // only 4 levels
            "cond_stage_model.transformer.text_model.encoder.layers.0.self_attn.qkv.weight",
            "control_model.input_blocks.0.0.weight",
            "model_ema.decay",
            "alphas_cumprod",
            "cond_stage_model.model.logit_scale",
            "cond_stage_model.transformer.text_model.encoder.layers.12.mlp.fc1.weight", // beyond SD 1.x's 12 layers
        };
        var conversion = CompVisCheckpoint.Split(names, StableDiffusionLayout.StableDiffusion1);

        Assert.Equal(["down_blocks.0.resnets.0.norm1.weight"], conversion.UNet.Targets);
        Assert.Equal(names[1..7], conversion.Unknown);
        Assert.Equal(names[7..], conversion.Ignored);
    }

    [Fact]
    public void A_second_spelling_of_the_same_tensor_is_unknown()
    {
        var names = new[]
        {
            "cond_stage_model.transformer.text_model.final_layer_norm.weight",
            "cond_stage_model.transformer.final_layer_norm.weight",
        };
        var conversion = CompVisCheckpoint.Split(names, StableDiffusionLayout.StableDiffusion1);

        Assert.Equal(["text_model.final_layer_norm.weight"], conversion.TextEncoder.Targets);
        Assert.Equal([names[1]], conversion.Unknown);
    }

    static List<string> Names(List<ManifestRow> rows, ModelComponent component) =>
        [.. rows.Where(r => r.Component == component).Select(r => r.Diffusers)];
}
