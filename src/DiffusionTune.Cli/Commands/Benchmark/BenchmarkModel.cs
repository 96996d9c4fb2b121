using DiffusionTune.Cli.Commands.Generate;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.Models.Clip;
using DiffusionTune.Models.Configuration;
using DiffusionTune.Models.Unet;
using DiffusionTune.Models.Vae;
using DiffusionTune.ShapesWorld;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary>The complete models the benchmarks measure: real architectures with random weights, the embedded model, or a model path.</summary>
public static class BenchmarkModel
{
    /// <summary>What <c>--config</c> of the whole-model benchmarks accepts.</summary>
    public const string ConfigDescription =
        "sd15 (SD 1.5 architecture, random weights), sd15-half (the same with half the UNet's channels), shapes-world (the embedded model), or a model path";

    /// <summary>
    /// sd15: the SD 1.5 architecture with random weights (a tokenizer of the shapes world: ids only need to be in range);
    /// sd15-half: the same with half the UNet's channels (a quarter of its parameters), to measure full fine-tuning's
    /// memory per parameter where SD 1.5 itself would not fit; shapes-world or a path: that model, loaded.
    /// </summary>
    public static StableDiffusionModel Build(string config, Device device, ScalarType dtype)
    {
        if (config is not ("sd15" or "sd15-half"))
        {
            var path = config == "shapes-world" ? EmbeddedModel.Resolve(null) : config;
            return StableDiffusionModel.Load(path, new ModelLoadOptions { Device = device, Dtype = dtype });
        }
        var tokenizerFolder = Path.Combine(Path.GetTempPath(), "diffusiontune-benchmark", "tokenizer");
        if (!File.Exists(Path.Combine(tokenizerFolder, "merges.txt"))) ShapesWorldVocabulary.Build().WriteTo(tokenizerFolder);
        manual_seed(0);
        var unet = new UNet2DConditionModel(config == "sd15" ? KnownConfigs.StableDiffusion1Unet : HalfWidthStableDiffusion1Unet);
        var vae = new AutoencoderKL(KnownConfigs.StableDiffusionVae);
        var textEncoder = new ClipTextModel(KnownConfigs.StableDiffusion1TextEncoder);
        unet.to(device, dtype);
        textEncoder.to(device, dtype);
        vae.to(device, StableDiffusionModel.VaeDtype(dtype));
        return new StableDiffusionModel(unet, vae, textEncoder, ClipTokenizer.FromFolder(tokenizerFolder), tokenizerFolder,
            NoiseSchedule.StableDiffusion1, "sd15-random");
    }

    static UNet2DConditionModelConfig HalfWidthStableDiffusion1Unet =>
        KnownConfigs.StableDiffusion1Unet with { BlockOutChannels = [.. KnownConfigs.StableDiffusion1Unet.BlockOutChannels.Select(c => c / 2)] };
}
