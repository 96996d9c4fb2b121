using System.Text.Json;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.IO.Images;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Models.Clip;
using DiffusionTune.Models.Runtime;
using DiffusionTune.Models.Unet;
using DiffusionTune.Models.Vae;
using DiffusionTune.Training.Loop;
using DiffusionTune.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Pretraining;

/// <summary>
/// Stage 2: the UNet and the text encoder learn together, from scratch, to denoise VAE latents of shapes-world images
/// given their captions (ε-prediction on SD's schedule, min-SNR-γ weighting, caption dropout for classifier-free
/// guidance, an EMA of the weights for the exported model). The VAE from stage 1 is frozen.
/// </summary>
public sealed class DenoiserTrainingRun : ITrainingRun, IDisposable
{
    const ulong Stage = 2;
    const string OptimizerFile = "optimizer.bin";
    const string EmaFile = "ema.safetensors";
    const string UnetPrefix = "unet.", TextEncoderPrefix = "text_encoder.";

    /// <summary>Prompts for the preview grid written at each checkpoint.</summary>
    public static readonly string[] PreviewPrompts =
    [
        "a red star on a plain white background",
        "a blue circle on a striped yellow background",
        "a green triangle on a dotted black background",
        "a yellow heart on a plain purple background",
        "a white square on a checkered red background",
        "a purple hexagon on a gradient green background",
        "an orange cross",
        "a pink ring on a plain blue background",
    ];

    readonly PretrainSettings _settings;
    readonly AutoencoderKL _vae;
    readonly ClipTokenizer _tokenizer;
    readonly string _tokenizerFolder;
    readonly ClipTextModel _textEncoder;
    readonly UNet2DConditionModel _unet;
    readonly NoiseSchedule _schedule = new(ShapesWorldRecipe.Schedule);
    readonly MasterWeightOptimizer _optimizer;
    readonly ExponentialMovingAverage _ema;
    readonly LearningRateSchedule _rates;
    readonly ShapesWorldBatches _batches;

    public DenoiserTrainingRun(PretrainSettings settings, string vaeFolder, string tokenizerFolder)
    {
        _settings = settings;
        _vae = AutoencoderKL.FromPretrained(vaeFolder, settings.Device, settings.Dtype);
        _tokenizerFolder = tokenizerFolder;
        _tokenizer = ClipTokenizer.FromFolder(tokenizerFolder);
        manual_seed((long)settings.Seed + 2);
        _textEncoder = new ClipTextModel(ShapesWorldRecipe.TextEncoder(_tokenizer));
        _unet = new UNet2DConditionModel(ShapesWorldRecipe.Unet);
        foreach (var module in new nn.Module[] { _textEncoder, _unet })
        {
            module.to(settings.Device, settings.Dtype);
            module.train();
        }
        _optimizer = new MasterWeightOptimizer(
        [
            new TrainableGroup("text_encoder", Named(_textEncoder, TextEncoderPrefix)),
            new TrainableGroup("unet", Named(_unet, UnetPrefix)),
        ], new AdamWSettings());
        _ema = new ExponentialMovingAverage(_optimizer.Masters, settings.EmaDecay);
        _rates = new LearningRateSchedule(settings.DenoiserLearningRate, LearningRateShape.Cosine, settings.WarmupSteps, settings.DenoiserSteps, MinimumFactor: 0.1);
        _batches = new ShapesWorldBatches(new ShapesWorldDataset(settings.Seed + Stage), settings.DenoiserBatchSize);
    }

    static List<(string, TorchSharp.Modules.Parameter)> Named(nn.Module module, string prefix) =>
        module.named_parameters().Select(p => (prefix + p.name, p.parameter)).ToList();

    public string Name => "denoiser";

    public int TotalSteps => _settings.DenoiserSteps;

    public ScalarType ComputeDtype => _settings.Dtype;

    public DeviceType DeviceType => _settings.Device.type;

    public StepResult Step(int step)
    {
        using var random = StepRandomness.For(_settings.Seed, Stage, step);
        var (images, captions) = _batches.Get(step, _settings.Device, _settings.Dtype);
        int batch = captions.Length;
        var dropped = rand([batch], generator: random).data<float>().ToArray();
        var ids = captions.Select((caption, i) => dropped[i] < _settings.CaptionDropout ? "" : caption)
            .Select(text => _tokenizer.Tokenize(text).InputIds[0]).ToArray();
        var inputIds = HostToDevice.Move(tensor(ids.SelectMany(x => x).ToArray(), [batch, ClipTokenizer.ModelMaxLength], ScalarType.Int64), _settings.Device);

        Tensor latents;
        using (no_grad())
        using (var posterior = _vae.Encode(images))
        {
            var sampleNoise = HostToDevice.Move(randn(posterior.Mean.shape, ScalarType.Float32, CPU, generator: random), _settings.Device, posterior.Mean.dtype);
            latents = posterior.Sample(sampleNoise).to(ScalarType.Float32) * _vae.Config.ScalingFactor;
        }
        var timesteps = HostToDevice.Move(randint(0, _schedule.NumTrainTimesteps, [batch], ScalarType.Int64, CPU, generator: random), _settings.Device);
        var noise = HostToDevice.Move(randn(latents.shape, ScalarType.Float32, CPU, generator: random), _settings.Device);
        var noisy = _schedule.AddNoise(latents, noise, timesteps);
        var target = _schedule.TrainingTarget(latents, noise, timesteps);

        var context = _textEncoder.call(inputIds);
        var prediction = _unet.call(noisy.to(_settings.Dtype), timesteps.to(ScalarType.Float32), context).to(ScalarType.Float32);
        var perSample = (prediction - target).square().mean([1, 2, 3]);
        var loss = (perSample * _schedule.MinSnrWeights(timesteps, _settings.MinSnrGamma)).mean();
        _optimizer.Backward(loss);

        double rate = _rates.RateAt(step);
        var update = _optimizer.Step(rate, maxGradNorm: 1.0);
        if (double.IsFinite(update.GradientNorm)) _ema.Update(step);
        return new StepResult(perSample.mean().item<float>(), rate, update);
    }

    public void SaveCheckpoint(string folder, int stepsDone)
    {
        using (var stream = File.Create(Path.Combine(folder, OptimizerFile)))
        using (var writer = new BinaryWriter(stream))
            _optimizer.Save(writer);
        SafetensorsWriter.Save(Path.Combine(folder, EmaFile), _ema.Weights);
        File.WriteAllText(Path.Combine(folder, "state.json"), JsonSerializer.Serialize(new { stage = Name, steps_done = stepsDone }));
    }

    public void LoadCheckpoint(string folder)
    {
        using (var stream = File.OpenRead(Path.Combine(folder, OptimizerFile)))
        using (var reader = new BinaryReader(stream))
            _optimizer.Load(reader);
        using var ema = SafetensorsFile.Open(Path.Combine(folder, EmaFile));
        var weights = ema.LoadAll();
        _ema.Load(weights);
        foreach (var tensor in weights.Values) tensor.Dispose();
    }

    public void AfterStep(int stepsDone, CancellationToken cancellation)
    {
        if (stepsDone % _settings.CheckpointEvery != 0 && stepsDone != TotalSteps) return;
        var path = Path.Combine(_settings.RunFolder, "samples", $"denoiser-step-{stepsDone:D6}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _textEncoder.eval();
        _unet.eval();
        try
        {
            // Not disposed: it only borrows the live modules.
            var model = new StableDiffusionModel(_unet, _vae, _textEncoder, _tokenizer, _tokenizerFolder, _schedule, _settings.RunFolder);
            using var grid = PreviewGrid(model, PreviewPrompts, seed: 1, cancellation);
            PngWriter.Write(path, grid, overwrite: true);
        }
        finally
        {
            _textEncoder.train();
            _unet.train();
        }
    }

    /// <summary>One image per prompt, same seed, 25 DDIM steps at CFG 5, labelled with the prompt; cancelling stops it within a sampler step.</summary>
    public static SkiaSharp.SKBitmap PreviewGrid(StableDiffusionModel model, IReadOnlyList<string> prompts, long seed, CancellationToken cancellation)
    {
        using var scope = NewDisposeScope();
        var pipeline = new TextToImagePipeline(model);
        var images = prompts.Select(prompt => pipeline.Generate(new GenerationRequest
        {
            Prompt = prompt,
            Steps = 25,
            GuidanceScale = 5,
            Sampler = new SamplerChoice(SamplerKind.Ddim),
            Seed = seed,
            Width = ShapesWorldRecipe.ImageSize,
            Height = ShapesWorldRecipe.ImageSize,
        }, cancellation: cancellation)).ToArray();
        var bitmaps = ImageTensors.ToBitmaps(cat(images, 0));
        try
        {
            return ImageGrid.Compose(bitmaps, prompts.Count, new ImageGridOptions());
        }
        finally
        {
            foreach (var bitmap in bitmaps) bitmap.Dispose();
        }
    }

    /// <summary>
    /// Writes the finished model as a diffusers folder: the EMA weights of the UNet and text encoder, the stage-1 VAE,
    /// the tokenizer and SD's scheduler config. Weights are stored as fp16 to keep the shipped files small.
    /// </summary>
    public void Export(string outputFolder, string vaeFolder)
    {
        var ema = _ema.Weights;
        var textEncoder = new ClipTextModel(ShapesWorldRecipe.TextEncoder(_tokenizer));
        var unet = new UNet2DConditionModel(ShapesWorldRecipe.Unet);
        using (no_grad())
        {
            foreach (var (name, parameter) in textEncoder.named_parameters()) parameter.copy_(ema[TextEncoderPrefix + name]);
            foreach (var (name, parameter) in unet.named_parameters()) parameter.copy_(ema[UnetPrefix + name]);
        }
        var vae = AutoencoderKL.FromPretrained(vaeFolder);
        foreach (var module in new nn.Module[] { textEncoder, unet, vae }) module.to(ScalarType.Float16);
        using var model = new StableDiffusionModel(unet, vae, textEncoder, _tokenizer, _tokenizerFolder, _schedule, outputFolder);
        model.SaveDiffusers(outputFolder, new Dictionary<string, string> { ["diffusiontune.recipe"] = "shapes-world pretraining" });
    }

    public void Dispose()
    {
        _ema.Dispose();
        _optimizer.Dispose();
        _unet.Dispose();
        _textEncoder.Dispose();
        _vae.Dispose();
    }
}
