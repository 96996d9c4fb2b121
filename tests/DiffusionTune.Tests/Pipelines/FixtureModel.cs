using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.Models.Clip;
using DiffusionTune.Models.Unet;
using DiffusionTune.Models.Vae;
using DiffusionTune.Tests.Tokenization;

namespace DiffusionTune.Tests.Pipelines;

/// <summary>The reference fixture's tiny UNet/VAE/text encoder as one model.</summary>
static class FixtureModel
{
    /// <summary>
    /// With the real CLIP tokenizer from ../shared when <paramref name="realTokenizer"/> is set, else with a tiny
    /// self-made one (fine wherever prompts are given as embeddings).
    /// </summary>
    public static StableDiffusionModel Load(bool realTokenizer = false)
    {
        var tokenizerFolder = realTokenizer
            ? Path.Combine(TestPaths.SharedReference!, "clip-tokenizer")
            : TinyClipTokenizerFolder.Write();
        return new StableDiffusionModel(
            UNet2DConditionModel.FromPretrained(TestPaths.Fixture("unet")),
            AutoencoderKL.FromPretrained(TestPaths.Fixture("vae")),
            ClipTextModel.FromPretrained(TestPaths.Fixture("text_encoder")),
            ClipTokenizer.FromFolder(tokenizerFolder), tokenizerFolder,
            NoiseSchedule.StableDiffusion1, TestPaths.Fixture("unet"));
    }
}
