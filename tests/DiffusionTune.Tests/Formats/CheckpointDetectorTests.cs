using DiffusionTune.IO;
using DiffusionTune.IO.Formats;

namespace DiffusionTune.Tests.Formats;

/// <summary>Detection on synthetic name/shape sets: the SD 1.5 manifest, and SD 2.x / SDXL / inpainting variants of it.</summary>
public class CheckpointDetectorTests
{
    /// <summary>A full SD 1.5 single file's names and shapes (the manifest's CompVis side plus the schedule buffers).</summary>
    static Dictionary<string, long[]> StableDiffusion1()
    {
        var shapes = FormatTestData.Manifest("sd15").ToDictionary(r => r.CompVis, r => r.CompVisShape);
        foreach (var buffer in CompVisCheckpoint.ScheduleBufferNames) shapes[buffer] = [1000];
        return shapes;
    }

    /// <summary>SD 1.5 turned into SD 2.x: 1024-wide cross-attention, linear proj_in/proj_out, a 24-layer OpenCLIP text tower.</summary>
    static Dictionary<string, long[]> StableDiffusion2()
    {
        var shapes = StableDiffusion1().Where(p => !p.Key.StartsWith(CompVisCheckpoint.ClipPrefix)).ToDictionary();
        foreach (var name in shapes.Keys.ToList())
        {
            var shape = shapes[name];
            if (name.EndsWith(".attn2.to_k.weight") || name.EndsWith(".attn2.to_v.weight"))
                shapes[name] = [shape[0], 1024];
            else if ((name.EndsWith(".proj_in.weight") || name.EndsWith(".proj_out.weight")) && name.StartsWith(CompVisCheckpoint.UNetPrefix))
                shapes[name] = [shape[0], shape[1]];
        }
        const string open = CompVisCheckpoint.OpenClipPrefix;
        shapes[open + "token_embedding.weight"] = [49408, 1024];
        shapes[open + "positional_embedding"] = [77, 1024];
        shapes[open + "ln_final.weight"] = [1024];
        shapes[open + "text_projection"] = [1024, 1024];
        shapes[open + "logit_scale"] = [];
        for (int layer = 0; layer < 24; layer++)
        {
            shapes[$"{open}transformer.resblocks.{layer}.attn.in_proj_weight"] = [3072, 1024];
            shapes[$"{open}transformer.resblocks.{layer}.mlp.c_fc.weight"] = [4096, 1024];
        }
        return shapes;
    }

    [Fact]
    public void SD1()
    {
        var detection = CheckpointDetector.Detect(StableDiffusion1());

        Assert.True(detection.IsSupported, string.Join("; ", detection.Problems));
        Assert.Equal(CheckpointFamily.StableDiffusion1, detection.Family);
        Assert.Equal(PredictionTypeHint.Epsilon, detection.Prediction);
        Assert.True(detection.HasVae);
        Assert.True(detection.HasTextEncoder);

        var unet = detection.UNet!;
        Assert.Equal(UNetLayout.StableDiffusion, unet.Layout);
        Assert.Equal([320, 640, 1280, 1280], unet.BlockOutChannels);
        Assert.Equal((4, 4, 768, false, 1), (unet.InChannels, unet.OutChannels, unet.CrossAttentionDim, unet.UseLinearProjection, unet.TransformerLayersPerBlock));

        Assert.Equal(VaeLayout.StableDiffusion, detection.Vae!.Layout);
        Assert.Equal([128, 256, 512, 512], detection.Vae.BlockOutChannels);
        Assert.Equal(4, detection.Vae.LatentChannels);

        var text = detection.TextEncoder!;
        Assert.Equal((TextEncoderFormat.Clip, 768, 3072, 12), (text.Format, text.HiddenSize, text.IntermediateSize, text.LayersInFile));
        Assert.Equal(StableDiffusionLayout.StableDiffusion1, detection.Layout);
    }

    [Fact]
    public void SD2_prediction_type_is_unknown_unless_the_metadata_says()
    {
        var shapes = StableDiffusion2();
        var detection = CheckpointDetector.Detect(shapes);

        Assert.True(detection.IsSupported, string.Join("; ", detection.Problems));
        Assert.Equal(CheckpointFamily.StableDiffusion2, detection.Family);
        Assert.Equal(PredictionTypeHint.Unknown, detection.Prediction);
        Assert.Equal((1024, true), (detection.UNet!.CrossAttentionDim, detection.UNet.UseLinearProjection));
        var text = detection.TextEncoder!;
        Assert.Equal((TextEncoderFormat.OpenClip, 1024, 4096, 24), (text.Format, text.HiddenSize, text.IntermediateSize, text.LayersInFile));
        Assert.Equal(StableDiffusionLayout.StableDiffusion2, detection.Layout);

        Assert.Equal(PredictionTypeHint.VPrediction, CheckpointDetector.Detect(shapes, new Dictionary<string, string> { ["modelspec.prediction_type"] = "v" }).Prediction);
        Assert.Equal(PredictionTypeHint.VPrediction, CheckpointDetector.Detect(shapes, new Dictionary<string, string> { ["modelspec.architecture"] = "stable-diffusion-v2-768-v" }).Prediction);
        Assert.Equal(PredictionTypeHint.Epsilon, CheckpointDetector.Detect(shapes, new Dictionary<string, string> { ["modelspec.architecture"] = "stable-diffusion-v2-512" }).Prediction);
    }

    [Fact]
    public void SD2_is_recognised_by_the_UNet_alone()
    {
        var unetOnly = StableDiffusion2().Where(p => p.Key.StartsWith(CompVisCheckpoint.UNetPrefix)).ToDictionary();
        var detection = CheckpointDetector.Detect(unetOnly);

        Assert.Equal(CheckpointFamily.StableDiffusion2, detection.Family);
        Assert.False(detection.HasVae);
        Assert.False(detection.HasTextEncoder);
        Assert.Null(detection.Layout);
    }

    [Fact]
    public void SDXL_is_refused()
    {
        var shapes = new Dictionary<string, long[]>
        {
            ["model.diffusion_model.input_blocks.0.0.weight"] = [320, 4, 3, 3],
            ["conditioner.embedders.0.transformer.text_model.embeddings.token_embedding.weight"] = [49408, 768],
            ["conditioner.embedders.1.model.transformer.resblocks.9.mlp.c_proj.bias"] = [1280],
        };
        var detection = CheckpointDetector.Detect(shapes);

        Assert.Equal(CheckpointFamily.StableDiffusionXL, detection.Family);
        Assert.False(detection.IsSupported);
        var error = Assert.Throws<ModelFileException>(() => detection.ThrowIfUnsupported("sdxl.safetensors"));
        Assert.Contains("SDXL", error.Problem);
        Assert.StartsWith("sdxl.safetensors: ", error.Message);
    }

    [Fact]
    public void Inpainting_is_reported_and_refused()
    {
        var shapes = StableDiffusion1();
        shapes["model.diffusion_model.input_blocks.0.0.weight"] = [320, 9, 3, 3];
        var detection = CheckpointDetector.Detect(shapes);

        Assert.Equal(CheckpointFamily.StableDiffusion1, detection.Family);
        Assert.True(detection.IsInpainting);
        Assert.False(detection.IsSupported);
        Assert.Contains(detection.Problems, p => p.Contains("inpainting"));
    }

    [Fact]
    public void EMA_weights_are_noticed()
    {
        var shapes = StableDiffusion1();
        shapes["model_ema.decay"] = [];
        Assert.False(CheckpointDetector.Detect(shapes).HasEmaWeights);
        shapes["model_ema.diffusion_modelinput_blocks00weight"] = [320, 4, 3, 3];
        Assert.True(CheckpointDetector.Detect(shapes).HasEmaWeights);
    }

    [Fact]
    public void A_file_without_a_UNet_or_with_a_broken_one_says_so()
    {
        var vaeOnly = StableDiffusion1().Where(p => p.Key.StartsWith(CompVisCheckpoint.VaePrefix)).ToDictionary();
        var detection = CheckpointDetector.Detect(vaeOnly);
        Assert.Equal(CheckpointFamily.Unknown, detection.Family);
        Assert.True(detection.HasVae);
        Assert.Contains(detection.Problems, p => p.Contains("no Stable Diffusion UNet"));

        var broken = StableDiffusion1();
        foreach (var name in broken.Keys.Where(k => k.StartsWith("model.diffusion_model.output_blocks.11.")).ToList()) broken.Remove(name);
        detection = CheckpointDetector.Detect(broken);
        Assert.Null(detection.UNet);
        Assert.Contains(detection.Problems, p => p.Contains("output blocks"));
    }
}
