using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.Models.Clip;
using DiffusionTune.Models.Configuration;
using DiffusionTune.Models.Unet;
using DiffusionTune.Models.Vae;
using DiffusionTune.ShapesWorld;
using DiffusionTune.Workflows.Loading;
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
        // Initialised in their run dtype, as loading from a file does (on meta, then materialised): fp32 weights built
        // and then converted would stay in the process's heap and inflate its peak memory.
        var vae = Initialised(StableDiffusionModel.VaeDtype(dtype), () => new AutoencoderKL(KnownConfigs.StableDiffusionVae));
        var unet = Initialised(dtype, () => new UNet2DConditionModel(config == "sd15" ? KnownConfigs.StableDiffusion1Unet : HalfWidthStableDiffusion1Unet));
        var textEncoder = Initialised(dtype, () => new ClipTextModel(KnownConfigs.StableDiffusion1TextEncoder));
        unet.to(device);
        textEncoder.to(device);
        vae.to(device);
        return new StableDiffusionModel(unet, vae, textEncoder, ClipTokenizer.FromFolder(tokenizerFolder), tokenizerFolder,
            NoiseSchedule.StableDiffusion1, "sd15-random");
    }

    static T Initialised<T>(ScalarType dtype, Func<T> build)
    {
        var previous = get_default_dtype();
        set_default_dtype(dtype);
        try
        {
            return build();
        }
        finally
        {
            set_default_dtype(previous);
        }
    }

    static UNet2DConditionModelConfig HalfWidthStableDiffusion1Unet =>
        KnownConfigs.StableDiffusion1Unet with { BlockOutChannels = [.. KnownConfigs.StableDiffusion1Unet.BlockOutChannels.Select(c => c / 2)] };
}
