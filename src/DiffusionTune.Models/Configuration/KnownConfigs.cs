using DiffusionTune.Models.Clip;
using DiffusionTune.Models.Unet;
using DiffusionTune.Models.Vae;

namespace DiffusionTune.Models.Configuration;

/// <summary>
/// The component configs of the public Stable Diffusion releases, for files that carry no config of their own
/// (original single-file checkpoints) and for benchmarks at real sizes.
/// </summary>
public static class KnownConfigs
{
    /// <summary>SD 1.x (runwayml/stable-diffusion-v1-5 and its fine-tunes).</summary>
    public static UNet2DConditionModelConfig StableDiffusion1Unet { get; } = new()
    {
        SampleSize = 64,
        BlockOutChannels = [320, 640, 1280, 1280],
        LayersPerBlock = [2],
        AttentionHeadDim = [8],
        CrossAttentionDim = [768],
        NormNumGroups = 32,
    };

    /// <summary>SD 2.x (stabilityai/stable-diffusion-2-1 and -base): per-level heads of 64 channels, linear projections, OpenCLIP-H context.</summary>
    public static UNet2DConditionModelConfig StableDiffusion2Unet { get; } = StableDiffusion1Unet with
    {
        SampleSize = 96,
        AttentionHeadDim = [5, 10, 20, 20],
        CrossAttentionDim = [1024],
        UseLinearProjection = true,
        UpcastAttention = true,
    };

    public static AutoencoderKLConfig StableDiffusionVae { get; } = new()
    {
        BlockOutChannels = [128, 256, 512, 512],
        DownBlockTypes = ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
        UpBlockTypes = ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"],
        LayersPerBlock = 2,
        LatentChannels = 4,
        NormNumGroups = 32,
        SampleSize = 512,
        ScalingFactor = 0.18215,
    };

    /// <summary>OpenAI CLIP ViT-L/14's text tower (SD 1.x).</summary>
    public static ClipTextConfig StableDiffusion1TextEncoder { get; } = new()
    {
        HiddenSize = 768,
        IntermediateSize = 3072,
        NumAttentionHeads = 12,
        NumHiddenLayers = 12,
        ProjectionDim = 768,
        HiddenAct = "quick_gelu",
        BosTokenId = 0,
        EosTokenId = 2,
    };

    /// <summary>OpenCLIP ViT-H/14's text tower as diffusers ships it for SD 2.x: 23 of its 24 layers (penultimate-layer conditioning).</summary>
    public static ClipTextConfig StableDiffusion2TextEncoder { get; } = StableDiffusion1TextEncoder with
    {
        HiddenSize = 1024,
        IntermediateSize = 4096,
        NumAttentionHeads = 16,
        NumHiddenLayers = 23,
        ProjectionDim = 512,
        HiddenAct = "gelu",
    };
}
