using System.Security.Cryptography;
using System.Text;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Models.Clip;
using DiffusionTune.Models.Configuration;
using DiffusionTune.Models.Loading;
using DiffusionTune.Models.Unet;
using DiffusionTune.Models.Vae;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Pipelines;

/// <summary>
/// Loading and saving original-layout (CompVis/LDM) single-file checkpoints, the format A1111 and ComfyUI use.
/// Files DiffusionTune wrote carry their configs in metadata; other files are recognised as SD 1.x or 2.x from their
/// tensor names and shapes and get the public release configs.
/// </summary>
public static class SingleFileCheckpoint
{
    public static StableDiffusionModel Load(string path, ModelLoadOptions options)
    {
        using var file = SafetensorsFile.Open(path);
        var configs = ReadConfigs(file);
        var schedule = new NoiseSchedule(options.PredictionType is { } prediction ? configs.Schedule with { PredictionType = prediction } : configs.Schedule);

        var conversion = CompVisCheckpoint.Split(file, Layout(configs.Unet, configs.Vae, configs.TextEncoder));
        if (conversion.Unknown.Count > 0)
            throw new ModelFileException(path, $"has {conversion.Unknown.Count} tensor(s) that belong to no Stable Diffusion 1.x/2.x component: {string.Join(", ", conversion.Unknown.Take(12))}");
        if (conversion.Vae.Count == 0 || conversion.TextEncoder.Count == 0)
            throw new ModelFileException(path, "holds only some of the model (no VAE or no text encoder); a complete checkpoint is needed");

        var (tokenizer, tokenizerFolder) = LoadTokenizer(file, configs.Family, options);
        var unet = Materialize(configs.Unet, configs.Origin(ModelMetadata.UNetConfig), c => new UNet2DConditionModel(c), conversion.UNet, file, options.Device, options.Dtype);
        AutoencoderKL? vae = null;
        ClipTextModel? textEncoder = null;
        try
        {
            vae = Materialize(configs.Vae, configs.Origin(ModelMetadata.VaeConfig), c => new AutoencoderKL(c), conversion.Vae, file, options.Device,
                StableDiffusionModel.VaeDtype(options.Dtype));
            textEncoder = Materialize(configs.TextEncoder, configs.Origin(ModelMetadata.TextEncoderConfig), c => new ClipTextModel(c), conversion.TextEncoder, file,
                options.Device, options.Dtype);
            return new StableDiffusionModel(unet, vae, textEncoder, tokenizer, tokenizerFolder, schedule, path);
        }
        catch
        {
            unet.Dispose();
            vae?.Dispose();
            textEncoder?.Dispose();
            throw;
        }
    }

    public static void Save(StableDiffusionModel model, string path, IReadOnlyDictionary<string, string>? metadata = null, bool overwrite = true)
    {
        var unet = model.Unet.state_dict();
        var vae = model.Vae.state_dict();
        var textEncoder = model.TextEncoder.state_dict();
        var format = model.TextEncoder.Config.HiddenAct == "gelu" ? TextEncoderFormat.OpenClip : TextEncoderFormat.Clip;
        var conversion = CompVisCheckpoint.Build(unet.Keys, vae.Keys, textEncoder.Keys,
            Layout(model.Unet.Config, model.Vae.Config, model.TextEncoder.Config), format);

        var allMetadata = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>())
        {
            [ModelMetadata.UNetConfig] = ModelConfigFile.Serialize(model.Unet.Config),
            [ModelMetadata.VaeConfig] = ModelConfigFile.Serialize(model.Vae.Config),
            [ModelMetadata.TextEncoderConfig] = ModelConfigFile.Serialize(model.TextEncoder.Config),
            [ModelMetadata.SchedulerConfig] = model.Schedule.Options.ToSchedulerConfig().ToJsonString(),
        };
        EmbedTokenizer(model.TokenizerFolder, allMetadata);
        CompVisCheckpoint.Save(path, conversion, unet, vae, textEncoder, allMetadata, overwrite);
    }

    /// <param name="Path">The checkpoint.</param>
    /// <param name="FromMetadata">Whether the configs came from the file's metadata (else they are the release configs of its family).</param>
    sealed record Configs(string Path, bool FromMetadata, CheckpointFamily Family, UNet2DConditionModelConfig Unet, AutoencoderKLConfig Vae,
        ClipTextConfig TextEncoder, NoiseScheduleOptions Schedule)
    {
        /// <summary>Where a component's config came from, for messages: the metadata key, or the family it was recognised as.</summary>
        public string Origin(string metadataKey) => FromMetadata ? $"{Path} ({metadataKey})" : $"{Path} (read as {Family} by its tensor names)";
    }

    /// <summary>The noise schedule of the scheduler config in a file's metadata, or an error naming the file and the key.</summary>
    static NoiseScheduleOptions SchedulerOptions(string path, string json)
    {
        try
        {
            using var scheduler = System.Text.Json.JsonDocument.Parse(json);
            return NoiseScheduleOptions.FromSchedulerConfig(scheduler.RootElement);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or NotSupportedException or ArgumentException)
        {
            throw new ModelFileException(path, $"{ModelMetadata.SchedulerConfig} metadata is not a usable scheduler config: {e.Message}", e);
        }
    }

    static Configs ReadConfigs(SafetensorsFile file)
    {
        var metadata = file.Metadata;
        if (metadata.TryGetValue(ModelMetadata.UNetConfig, out var unetJson))
        {
            string Required(string key) => metadata.TryGetValue(key, out var value)
                ? value
                : throw new ModelFileException(file.FilePath, $"has {ModelMetadata.UNetConfig} metadata but no {key}");
            return new Configs(file.FilePath, FromMetadata: true, CheckpointFamily.Unknown,
                ModelConfigFile.Parse<UNet2DConditionModelConfig>(unetJson, $"{file.FilePath} ({ModelMetadata.UNetConfig})"),
                ModelConfigFile.Parse<AutoencoderKLConfig>(Required(ModelMetadata.VaeConfig), $"{file.FilePath} ({ModelMetadata.VaeConfig})"),
                ModelConfigFile.Parse<ClipTextConfig>(Required(ModelMetadata.TextEncoderConfig), $"{file.FilePath} ({ModelMetadata.TextEncoderConfig})"),
                SchedulerOptions(file.FilePath, Required(ModelMetadata.SchedulerConfig)));
        }

        var detection = CheckpointDetector.Detect(file);
        detection.ThrowIfUnsupported(file.FilePath);
        return detection.Family switch
        {
            CheckpointFamily.StableDiffusion1 => new Configs(file.FilePath, FromMetadata: false, detection.Family, KnownConfigs.StableDiffusion1Unet, KnownConfigs.StableDiffusionVae,
                KnownConfigs.StableDiffusion1TextEncoder, NoiseScheduleOptions.StableDiffusion1),
            CheckpointFamily.StableDiffusion2 => new Configs(file.FilePath, FromMetadata: false, detection.Family, KnownConfigs.StableDiffusion2Unet, KnownConfigs.StableDiffusionVae,
                KnownConfigs.StableDiffusion2TextEncoder, NoiseScheduleOptions.StableDiffusion1 with
                {
                    // diffusers reads config-less SD 2.x files as the 768-v release; --prediction-type overrides it.
                    PredictionType = detection.Prediction == PredictionTypeHint.Epsilon ? PredictionType.Epsilon : PredictionType.VPrediction,
                }),
            _ => throw new ModelFileException(file.FilePath, "is not recognisable as a Stable Diffusion 1.x or 2.x checkpoint"),
        };
    }

    static StableDiffusionLayout Layout(UNet2DConditionModelConfig unet, AutoencoderKLConfig vae, ClipTextConfig textEncoder) =>
        new(UNetLayout.FromBlockTypes(unet.DownBlockTypes, unet.UpBlockTypes, unet.LayersPerLevel),
            new VaeLayout(vae.Levels, vae.LayersPerBlock),
            new TextEncoderLayout(textEncoder.NumHiddenLayers));

    /// <summary>Checks the config against the component's tensors (<see cref="ConfigFit"/>), builds the model on the meta device, then loads it.</summary>
    static TModel Materialize<TModel, TConfig>(TConfig config, string configOrigin, Func<TConfig, TModel> build, TensorPlan plan, SafetensorsFile file,
        Device device, ScalarType dtype)
        where TModel : nn.Module
        where TConfig : IModelConfig
    {
        var weights = TensorSource.FromPlan(plan, file);
        ConfigFit.Check(config, configOrigin, weights);
        var model = MetaDevice.Build(() => build(config));
        try
        {
            ParameterMaterializer.Load(model, weights, device, dtype);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    static (ClipTokenizer Tokenizer, string Folder) LoadTokenizer(SafetensorsFile file, CheckpointFamily family, ModelLoadOptions options)
    {
        if (options.TokenizerFolder is { } explicitFolder)
            return (ClipTokenizer.FromFolder(explicitFolder), explicitFolder);
        if (ExtractEmbeddedTokenizer(file) is { } embedded)
            return (ClipTokenizer.FromFolder(embedded), embedded);
        var snapshot = ClipTokenizer.FindInHuggingFaceCache()
            ?? throw new ModelFileException(file.FilePath,
                $"carries no tokenizer: pass --tokenizer FOLDER (vocab.json + merges.txt), or put {ClipTokenizer.HuggingFaceRepositoryId} in the Hugging Face cache");
        // SD 2.x's OpenCLIP tokenizer is the same vocabulary, padded with "!" instead of the end token.
        var tokenizer = family == CheckpointFamily.StableDiffusion2
            ? ClipTokenizer.FromFiles(Path.Combine(snapshot, ClipTokenizerFiles.VocabularyFileName), Path.Combine(snapshot, ClipTokenizerFiles.MergesFileName), "!")
            : ClipTokenizer.FromFolder(snapshot);
        return (tokenizer, snapshot);
    }

    static void EmbedTokenizer(string folder, Dictionary<string, string> metadata)
    {
        var vocabulary = Path.Combine(folder, ClipTokenizerFiles.VocabularyFileName);
        var merges = Path.Combine(folder, ClipTokenizerFiles.MergesFileName);
        if (!File.Exists(vocabulary) || !File.Exists(merges)) return;
        if (new FileInfo(vocabulary).Length + new FileInfo(merges).Length > ModelMetadata.MaxEmbeddedTokenizerBytes) return;
        metadata[ModelMetadata.TokenizerVocabulary] = File.ReadAllText(vocabulary);
        metadata[ModelMetadata.TokenizerMerges] = File.ReadAllText(merges);
        var config = Path.Combine(folder, ClipTokenizerFiles.TokenizerConfigFileName);
        if (File.Exists(config)) metadata[ModelMetadata.TokenizerConfig] = File.ReadAllText(config);
    }

    /// <summary>Writes a tokenizer embedded in the file's metadata into a cache folder named by its content hash.</summary>
    static string? ExtractEmbeddedTokenizer(SafetensorsFile file)
    {
        if (!file.Metadata.TryGetValue(ModelMetadata.TokenizerVocabulary, out var vocabulary)
            || !file.Metadata.TryGetValue(ModelMetadata.TokenizerMerges, out var merges))
            return null;
        file.Metadata.TryGetValue(ModelMetadata.TokenizerConfig, out var config);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(vocabulary + "\0" + merges + "\0" + config)))[..16];
        var folder = Path.Combine(
            Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
            "diffusiontune", "tokenizers", hash);
        if (!File.Exists(Path.Combine(folder, ClipTokenizerFiles.MergesFileName)))
        {
            AtomicFile.WriteAllText(Path.Combine(folder, ClipTokenizerFiles.VocabularyFileName), vocabulary);
            if (config is not null) AtomicFile.WriteAllText(Path.Combine(folder, ClipTokenizerFiles.TokenizerConfigFileName), config);
            AtomicFile.WriteAllText(Path.Combine(folder, ClipTokenizerFiles.MergesFileName), merges);
        }
        return folder;
    }
}
