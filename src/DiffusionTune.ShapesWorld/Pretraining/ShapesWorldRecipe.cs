using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.Models.Clip;
using DiffusionTune.Models.Unet;
using DiffusionTune.Models.Vae;

namespace DiffusionTune.ShapesWorld.Pretraining;

/// <summary>
/// The architecture of the embedded shapes-world model: Stable Diffusion 1.x's, scaled down. 64×64 images, a VAE
/// that downsamples ×4 to 16×16×4 latents, a three-level UNet with cross-attention at its two inner levels, and a
/// three-layer CLIP text encoder over the world's own BPE vocabulary.
/// </summary>
public static class ShapesWorldRecipe
{
    public const int ImageSize = 64;

    public static AutoencoderKLConfig Vae { get; } = new()
    {
        BlockOutChannels = [32, 64, 64],
        DownBlockTypes = ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
        UpBlockTypes = ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"],
        LayersPerBlock = 1,
        LatentChannels = 4,
        NormNumGroups = 16,
        SampleSize = ImageSize,
        ForceUpcast = false,
    };

    public const int TextWidth = 192;

    public static UNet2DConditionModelConfig Unet { get; } = new()
    {
        SampleSize = ImageSize / 4,
        BlockOutChannels = [64, 128, 192],
        LayersPerBlock = [1],
        DownBlockTypes = ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
        UpBlockTypes = ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
        CrossAttentionDim = [TextWidth],
        AttentionHeadDim = [4],
        NormNumGroups = 32,
    };

    public static ClipTextConfig TextEncoder(ClipTokenizer tokenizer) => new()
    {
        VocabSize = tokenizer.VocabularySize,
        HiddenSize = TextWidth,
        IntermediateSize = TextWidth * 4,
        ProjectionDim = TextWidth,
        NumAttentionHeads = 4,
        NumHiddenLayers = 3,
        MaxPositionEmbeddings = ClipTokenizer.ModelMaxLength,
        HiddenAct = "quick_gelu",
        BosTokenId = tokenizer.StartOfTextId,
        EosTokenId = tokenizer.EndOfTextId,
        PadTokenId = tokenizer.PadId,
    };

    /// <summary>SD 1.x's own noise schedule (scaled-linear betas, ε-prediction), so every sampler behaves as with real models.</summary>
    public static NoiseScheduleOptions Schedule => NoiseScheduleOptions.StableDiffusion1;
}
