using DiffusionTune.Models.Adapters;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Clip;
using DiffusionTune.Models.Kernels;
using DiffusionTune.Models.Unet;
using DiffusionTune.Models.Vae;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Pipelines;

/// <summary>
/// A complete Stable Diffusion 1.x/2.x model: UNet, VAE, text encoder, tokenizer and noise schedule, loaded from a
/// diffusers folder or an original single-file checkpoint. Owns its modules.
/// </summary>
public sealed class StableDiffusionModel : IDisposable
{
    public StableDiffusionModel(UNet2DConditionModel unet, AutoencoderKL vae, ClipTextModel textEncoder, ClipTokenizer tokenizer,
        string tokenizerFolder, NoiseSchedule schedule, string sourcePath)
    {
        Unet = unet;
        Vae = vae;
        TextEncoder = textEncoder;
        Tokenizer = tokenizer;
        TokenizerFolder = tokenizerFolder;
        Schedule = schedule;
        SourcePath = Path.GetFullPath(sourcePath);
        if (unet.Config.CrossAttentionDimPerLevel.Any(d => d != textEncoder.Config.HiddenSize))
            throw new ModelFileException(sourcePath, $"the UNet attends to {unet.Config.CrossAttentionDimPerLevel[0]}-wide text features but the text encoder produces {textEncoder.Config.HiddenSize}");
        if (unet.Config.InChannels != vae.Config.LatentChannels)
            throw new ModelFileException(sourcePath, $"the UNet takes {unet.Config.InChannels} channels but the VAE makes {vae.Config.LatentChannels}-channel latents (inpainting models are not supported)");
    }

    public UNet2DConditionModel Unet { get; }

    public AutoencoderKL Vae { get; }

    public ClipTextModel TextEncoder { get; }

    public ClipTokenizer Tokenizer { get; private set; }

    /// <summary>The folder the tokenizer files came from (copied when the model is saved).</summary>
    public string TokenizerFolder { get; }

    public NoiseSchedule Schedule { get; }

    /// <summary>The folder or file this model was loaded from.</summary>
    public string SourcePath { get; }

    /// <summary>
    /// The adapters applied only to prompts containing their trigger word. Every call of the UNet or the text encoder
    /// opens these for its batch rows' prompts (<see cref="PromptGates.Open"/>), as the pipeline and the drift meter do.
    /// </summary>
    public PromptGates Gates { get; } = new();

    /// <summary>The name A1111 shows: the file or folder name without extension.</summary>
    public string Name => Path.GetFileNameWithoutExtension(SourcePath.TrimEnd(Path.DirectorySeparatorChar));

    /// <summary>A1111's short model hash of the UNet weights (the whole file for single files).</summary>
    public string ShortHash => ShortHashOf(SourcePath);

    /// <summary>The <see cref="ShortHash"/> of the model at <paramref name="sourcePath"/>, without loading it.</summary>
    public static string ShortHashOf(string sourcePath) => ModelHash.Short(File.Exists(sourcePath)
        ? sourcePath
        : Path.Combine(sourcePath, "unet", $"{UNet2DConditionModel.WeightsBaseName}.safetensors"));

    public Device Device => Unet.parameters().First().device;

    public ScalarType Dtype => Unet.parameters().First().dtype;

    /// <summary>An SD 2.x model (OpenCLIP text encoder) rather than SD 1.x.</summary>
    public bool IsStableDiffusion2 => TextEncoder.Config.HiddenAct == "gelu";

    /// <summary>A v-prediction model (SD 2.x 768-v) rather than a noise-prediction one.</summary>
    public bool IsVPrediction => Schedule.Options.PredictionType == PredictionType.VPrediction;

    /// <summary>How many image pixels one latent pixel covers along each side.</summary>
    public int VaeScaleFactor => Vae.Config.DownsamplingFactor;

    /// <summary>The image size the model was trained at.</summary>
    public int NativeImageSize => Unet.Config.SampleSize * VaeScaleFactor;

    /// <summary>
    /// Teaches the model new words (textual inversion): each token gets a new id in the tokenizer and a row of
    /// <paramref name="vectors"/> ([tokens, width]) appended to the text encoder's token-embedding table. Returns the ids.
    /// </summary>
    /// <exception cref="ArgumentException">The shape is wrong, or a token is already added or a vocabulary entry.</exception>
    public IReadOnlyList<long> AddTokens(IReadOnlyList<string> tokens, Tensor vectors)
    {
        CheckVectors(tokens.Count, vectors);
        RefuseVocabularyEntries(tokens);
        return AppendRows(Tokenizer.WithAddedTokens(tokens), vectors);
    }

    /// <summary>
    /// Teaches the model one word that stands for several vectors ([vectors, width]): the tokens
    /// <c>token</c>, <c>token_1</c> … get one row each, and <paramref name="token"/> in a prompt becomes all of them
    /// (<see cref="ClipTokenizer.WithMultiVectorToken"/>). Returns the ids, the word's own first.
    /// </summary>
    /// <exception cref="ArgumentException">The shape is wrong, or a token is already added or a vocabulary entry.</exception>
    public IReadOnlyList<long> AddMultiVectorToken(string token, Tensor vectors)
    {
        var names = ClipTokenizer.MultiVectorTokenNames(token, vectors.dim() == 2 ? (int)Math.Max(1, vectors.shape[0]) : 1);
        CheckVectors(names.Count, vectors);
        RefuseVocabularyEntries(names);
        return AppendRows(Tokenizer.WithMultiVectorToken(token, names.Count), vectors);
    }

    /// <summary>
    /// Registers a textual-inversion embedding file under its trigger word, as A1111 does: the word may shadow a word
    /// of the vocabulary, but not another added token.
    /// </summary>
    /// <exception cref="ArgumentException">Its width is not the text encoder's, or its name cannot be a token or is taken.</exception>
    public IReadOnlyList<long> AddEmbedding(TextualInversionEmbedding embedding)
    {
        int width = TextEncoder.Config.HiddenSize;
        if (embedding.Width != width)
            throw new ArgumentException($"its vectors are {embedding.Width} wide but this model's text encoder is {width} wide (an embedding for another model family)");
        if (embedding.Name.Length == 0 || embedding.Name.Any(char.IsWhiteSpace))
            throw new ArgumentException($"its trigger word '{embedding.Name}' (the file name) is empty or has spaces; rename the file");
        var taken = ClipTokenizer.MultiVectorTokenNames(embedding.Name, embedding.VectorCount).Where(Tokenizer.AddedTokens.ContainsKey).ToList();
        if (taken.Count > 0)
            throw new ArgumentException($"the word '{taken[0]}' is already taken by another embedding or trained token");
        return AppendRows(Tokenizer.WithMultiVectorToken(embedding.Name, embedding.VectorCount), embedding.Vectors);
    }

    void CheckVectors(int tokenCount, Tensor vectors)
    {
        var table = TextEncoder.TextModel.Embeddings.TokenEmbedding.weight!;
        if (vectors.dim() != 2 || vectors.shape[0] != tokenCount || vectors.shape[1] != table.shape[1])
            throw new ArgumentException($"{tokenCount} token(s) need vectors of shape [{tokenCount}, {table.shape[1]}], not [{string.Join(", ", vectors.shape)}]");
    }

    void RefuseVocabularyEntries(IEnumerable<string> tokens)
    {
        var existing = tokens.Where(t => Tokenizer.TokenToId(t) is not null).ToList();
        if (existing.Count > 0)
            throw new ArgumentException($"the tokenizer already has {string.Join(", ", existing.Select(t => $"'{t}'"))}; choose another token name");
    }

    /// <summary>Switches to <paramref name="grown"/> (this tokenizer plus new ids) and appends their rows to the embedding table.</summary>
    IReadOnlyList<long> AppendRows(ClipTokenizer grown, Tensor vectors)
    {
        var embedding = TextEncoder.TextModel.Embeddings.TokenEmbedding;
        var table = embedding.weight!;
        int first = Tokenizer.VocabularySize;
        if (first != table.shape[0])
            throw new InvalidOperationException($"the tokenizer has {first} ids but the embedding table {table.shape[0]} rows");
        if (grown.VocabularySize - first != vectors.shape[0])
            throw new InvalidOperationException($"the tokenizer grew by {grown.VocabularySize - first} ids for {vectors.shape[0]} vectors");
        Tokenizer = grown;
        using (no_grad())
        {
            var rows = cat([table.detach(), vectors.to(table.dtype, table.device)], 0);
            // The module registers this very object: if a caller's dispose scope disposed it, the table would vanish
            // from parameters() and state_dict() (and so from saved models) while forward passes still used it.
            var grownTable = new TorchSharp.Modules.Parameter(rows, requires_grad: table.requires_grad);
            grownTable.DetachFromDisposeScope();
            embedding.weight = grownTable;
        }
        return Enumerable.Range(first, (int)vectors.shape[0]).Select(id => (long)id).ToArray();
    }

    /// <summary>Loads a diffusers folder (with model_index.json) or a single-file .safetensors checkpoint.</summary>
    /// <exception cref="WrongKernelsException">This host computes an operation the model needs wrongly, with no workaround.</exception>
    public static StableDiffusionModel Load(string path, ModelLoadOptions? options = null)
    {
        options ??= new ModelLoadOptions();
        HostKernelCheck.EnsureRight(options.Device, options.Dtype);
        if (Directory.Exists(path))
        {
            if (!DiffusersPipelineFolder.IsPipelineFolder(path))
                throw new ModelFileException(path, $"is a folder without {DiffusersPipelineFolder.IndexFileName}: expected a diffusers Stable Diffusion folder");
            return LoadDiffusersFolder(path, options);
        }
        if (!File.Exists(path)) throw new ModelFileException(path, "model not found (expected a diffusers folder or a .safetensors file)");
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".ckpt" or ".pt" or ".pth" or ".bin")
            throw new ModelFileException(path, Models.Loading.WeightsFile.PickleRefusal);
        return SingleFileCheckpoint.Load(path, options);
    }

    static StableDiffusionModel LoadDiffusersFolder(string folder, ModelLoadOptions options)
    {
        DiffusersPipelineFolder.Validate(folder);
        var schedulerConfig = Path.Combine(folder, DiffusersPipelineFolder.SchedulerConfigPath);
        var schedule = File.Exists(schedulerConfig) ? NoiseSchedule.FromSchedulerConfig(schedulerConfig) : NoiseSchedule.StableDiffusion1;
        if (options.PredictionType is { } prediction)
            schedule = new NoiseSchedule(schedule.Options with { PredictionType = prediction });
        var tokenizerFolder = options.TokenizerFolder ?? Path.Combine(folder, "tokenizer");

        var unet = UNet2DConditionModel.FromPretrained(Path.Combine(folder, "unet"), options.Device, options.Dtype);
        AutoencoderKL? vae = null;
        ClipTextModel? textEncoder = null;
        try
        {
            vae = AutoencoderKL.FromPretrained(Path.Combine(folder, "vae"), options.Device, VaeDtype(options.Dtype));
            textEncoder = ClipTextModel.FromPretrained(Path.Combine(folder, "text_encoder"), options.Device, options.Dtype);
            return new StableDiffusionModel(unet, vae, textEncoder, ClipTokenizer.FromFolder(tokenizerFolder), tokenizerFolder, schedule, folder);
        }
        catch
        {
            unet.Dispose();
            vae?.Dispose();
            textEncoder?.Dispose();
            throw;
        }
    }

    /// <summary>The dtype the VAE of a model loaded in <paramref name="dtype"/> computes in: the SD VAE overflows in fp16 (diffusers' force_upcast), so it stays in fp32 there.</summary>
    public static ScalarType VaeDtype(ScalarType dtype) => dtype == ScalarType.Float16 ? ScalarType.Float32 : dtype;

    /// <summary>Writes the model as a diffusers folder (each file atomically).</summary>
    public void SaveDiffusers(string folder, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Folders.Create(folder);
        Unet.SavePretrained(Path.Combine(folder, "unet"), metadata);
        Vae.SavePretrained(Path.Combine(folder, "vae"), metadata);
        TextEncoder.SavePretrained(Path.Combine(folder, "text_encoder"), metadata);
        CopyTokenizer(Path.Combine(folder, "tokenizer"));
        AtomicFile.WriteAllText(Path.Combine(folder, DiffusersPipelineFolder.SchedulerConfigPath),
            Schedule.Options.ToSchedulerConfig().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        DiffusersPipelineFolder.WriteIndex(folder);
    }

    /// <summary>Writes the model as one original-layout .safetensors file that A1111/ComfyUI load, plus our configs in its metadata.</summary>
    /// <param name="overwrite">False for a new file that must not replace one, even one written meanwhile by another process.</param>
    public void SaveSingleFile(string path, IReadOnlyDictionary<string, string>? metadata = null, bool overwrite = true) =>
        SingleFileCheckpoint.Save(this, path, metadata, overwrite);

    void CopyTokenizer(string destination)
    {
        Folders.Create(destination);
        foreach (var name in new[] { ClipTokenizerFiles.VocabularyFileName, ClipTokenizerFiles.MergesFileName, ClipTokenizerFiles.SpecialTokensMapFileName, ClipTokenizerFiles.TokenizerConfigFileName })
        {
            var source = Path.Combine(TokenizerFolder, name);
            if (File.Exists(source) && !SamePath(source, Path.Combine(destination, name)))
                AtomicFile.WriteAllBytes(Path.Combine(destination, name), FileAccessException.Guard(source, "read", () => File.ReadAllBytes(source)));
        }
    }

    static bool SamePath(string a, string b) => string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);

    public void Dispose()
    {
        Unet.Dispose();
        Vae.Dispose();
        TextEncoder.Dispose();
    }
}
