using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.Models.Clip;
using DiffusionTune.Models.Unet;
using DiffusionTune.Models.Vae;
using DiffusionTune.Tests.Tokenization;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Pipelines;

/// <summary>A tiny randomly initialised SD-shaped model with a tiny tokenizer, for end-to-end tests that need no reference data.</summary>
static class RandomTinyModel
{
    /// <summary>A two-level UNet on 8×8 latents with 32-wide cross-attention: the smallest one with every block type.</summary>
    public static UNet2DConditionModelConfig UnetConfig { get; } = new()
    {
        SampleSize = 8,
        BlockOutChannels = [32, 64],
        LayersPerBlock = [1],
        DownBlockTypes = ["DownBlock2D", "CrossAttnDownBlock2D"],
        UpBlockTypes = ["CrossAttnUpBlock2D", "UpBlock2D"],
        CrossAttentionDim = [32],
        AttentionHeadDim = [2],
        NormNumGroups = 32,
    };

    /// <summary>A two-level VAE (16×16 images, 8×8 latents).</summary>
    public static AutoencoderKLConfig VaeConfig { get; } = new()
    {
        BlockOutChannels = [32, 64],
        DownBlockTypes = ["DownEncoderBlock2D", "DownEncoderBlock2D"],
        UpBlockTypes = ["UpDecoderBlock2D", "UpDecoderBlock2D"],
        LayersPerBlock = 1,
        NormNumGroups = 32,
        SampleSize = 16,
    };

    /// <summary>A two-layer, 32-wide CLIP text encoder over the tiny tokenizer's vocabulary.</summary>
    public static ClipTextConfig TextEncoderConfig { get; } = new()
    {
        VocabSize = TinyClipTokenizerFolder.Size,
        HiddenSize = 32,
        IntermediateSize = 37,
        NumAttentionHeads = 4,
        NumHiddenLayers = 2,
        BosTokenId = TinyClipTokenizerFolder.StartOfText,
        EosTokenId = TinyClipTokenizerFolder.EndOfText,
    };

    /// <param name="unetConfig">Another UNet configuration than <see cref="UnetConfig"/> (for a model of another architecture).</param>
    public static StableDiffusionModel Create(long seed = 0, UNet2DConditionModelConfig? unetConfig = null)
    {
        manual_seed(seed);
        var tokenizerFolder = TinyClipTokenizerFolder.Write();
        var unet = new UNet2DConditionModel(unetConfig ?? UnetConfig);
        var vae = new AutoencoderKL(VaeConfig);
        var textEncoder = new ClipTextModel(TextEncoderConfig);
        foreach (var module in new nn.Module[] { unet, vae, textEncoder }) module.eval();
        return new StableDiffusionModel(unet, vae, textEncoder, ClipTokenizer.FromFolder(tokenizerFolder), tokenizerFolder,
            NoiseSchedule.StableDiffusion1, Path.Combine(tokenizerFolder, "random-tiny"));
    }

    /// <summary>Creates the model and saves it as a diffusers folder; returns the folder.</summary>
    public static string SaveDiffusers(long seed = 0, UNet2DConditionModelConfig? unetConfig = null)
    {
        var folder = Path.Combine(TestPaths.TempFolder(), "random-tiny");
        using var model = Create(seed, unetConfig);
        model.SaveDiffusers(folder);
        return folder;
    }
}
