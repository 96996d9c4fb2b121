using System.Text.Json;
using DiffusionTune.Contracts;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.IO;
using DiffusionTune.IO.Images;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Training.Logging;
using DiffusionTune.Training.Loop;
using DiffusionTune.Training.Optimization;
using DiffusionTune.Training.Plugins;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Engine;

/// <summary>
/// A plugin trainer's run as the <see cref="TrainingLoop"/> drives it: the trainer's session says what to train and
/// computes the loss; this class does the rest — freezing and per-block learning rates, gradient accumulation, AdamW
/// with fp32 master weights, clipping, the learning-rate schedule, EMA, resumable checkpoints, result files at every
/// save point (named with their step) and sample grids.
/// </summary>
public sealed class TrainerRun : ITrainingRun, IDisposable
{
    const string TrainableFile = "trainable.safetensors", OptimizerFile = "optimizer.bin", EmaFile = "ema.safetensors";

    readonly StableDiffusionModel _model;
    readonly EngineSettings _settings;
    readonly ITrainingBatches _batches;
    readonly RunOutput _output;
    readonly ConceptDescription _concept;
    readonly IReadOnlyDictionary<string, string> _metadata;
    readonly ITrainingSession _session;
    readonly List<(string Name, Parameter Parameter)> _trained;
    readonly MasterWeightOptimizer _optimizer;
    readonly ExponentialMovingAverage? _ema;
    readonly LearningRateSchedule _rates;
    readonly List<SavedFile> _saved = [];
    readonly TrainingLog? _images;
    readonly Action<string, int>? _sampleWritten;

    /// <param name="images">Where sample grids are logged for TensorBoard (besides the PNG files), if anywhere.</param>
    /// <param name="sampleWritten">Hears each sample grid as it is written: its path and the step it shows.</param>
    public TrainerRun(ITrainer trainer, TrainerOptionValues options, StableDiffusionModel model, EngineSettings settings,
        ITrainingBatches batches, RunOutput output, ConceptDescription concept, ITrainingLog log, IReadOnlyDictionary<string, string> metadata,
        TrainingLog? images = null, Action<string, int>? sampleWritten = null)
    {
        _images = images;
        _sampleWritten = sampleWritten;
        settings.Validate();
        _model = model;
        _settings = settings;
        _batches = batches;
        _output = output;
        _concept = concept;
        _metadata = metadata;
        Name = trainer.Info.Name;

        foreach (var module in new nn.Module[] { model.Unet, model.TextEncoder, model.Vae })
        {
            foreach (var parameter in module.parameters()) parameter.requires_grad = false;
        }
        manual_seed((long)(settings.Seed & long.MaxValue));
        var context = new TrainingContext(new HostedDiffusionModel(model, settings.ClipSkip), options, model.Device, model.Dtype, concept, log);
        // The contract has Begin refuse options that cannot work together with an ArgumentException, shown as it is.
        _session = PluginCall.Run(Name, nameof(ITrainer.Begin), () => trainer.Begin(context) ?? throw new InvalidOperationException("returned no session (null)"),
            passThrough: e => e is ArgumentException);
        var groups = TrainableGroups(PluginCall.Run(Name, nameof(ITrainingSession.Parameters), () => _session.Parameters ?? throw new InvalidOperationException("returned null")), settings);
        _trained = groups.SelectMany(g => g.Parameters).ToList();
        log.Info($"training {TrainedParameterCount:N0} parameters in {groups.Count} group(s)");
        _optimizer = new MasterWeightOptimizer(groups, new AdamWSettings(WeightDecay: settings.WeightDecay, Moments: settings.OptimizerMoments));
        _ema = settings.EmaDecay > 0 ? new ExponentialMovingAverage(_optimizer.Masters, settings.EmaDecay) : null;
        _rates = new LearningRateSchedule(settings.LearningRate, settings.Schedule, settings.WarmupSteps, settings.Steps);
        model.Unet.train();
        model.TextEncoder.train();
    }

    public string Name { get; }

    public int TotalSteps => _settings.Steps;

    public ScalarType ComputeDtype => _model.Dtype;

    public DeviceType DeviceType => _model.Device.type;

    /// <summary>How many numbers the run trains.</summary>
    public long TrainedParameterCount => _trained.Sum(p => p.Parameter.numel());

    /// <summary>The dynamic loss scale of an fp16 run (kept in its checkpoints); null in fp32 and bf16 runs.</summary>
    public double? LossScale => _optimizer.LossScale;

    /// <summary>Every result file written so far (intermediate and final).</summary>
    public IReadOnlyList<SavedFile> SavedFiles => _saved;

    /// <summary>The files of the latest save point (the final result once the run has finished).</summary>
    public IReadOnlyList<SavedFile> LatestSave { get; private set; } = [];

    /// <summary>
    /// Checks the session's parameters (trainable, uniquely named), drops those under a frozen prefix and splits the
    /// rest by the first matching per-block learning-rate rule.
    /// </summary>
    public static List<TrainableGroup> TrainableGroups(IReadOnlyList<ParameterGroup> groups, EngineSettings settings)
    {
        var names = new HashSet<string>();
        var result = new List<TrainableGroup>();
        foreach (var group in groups)
        {
            var byMultiplier = new Dictionary<double, List<(string, Parameter)>>();
            foreach (var (name, parameter) in group.Parameters)
            {
                if (!names.Add(name)) throw new ArgumentException($"the trainer gave two parameters named '{name}'");
                if (!parameter.requires_grad) throw new ArgumentException($"the trainer gave parameter '{name}' without requires_grad");
                if (settings.Freeze.Any(prefix => ParameterNames.Matches(name, prefix)))
                {
                    parameter.requires_grad = false;
                    continue;
                }
                var rule = settings.BlockLearningRates.FirstOrDefault(r => ParameterNames.Matches(name, r.Prefix));
                double multiplier = group.LearningRateMultiplier * (rule.Prefix is null ? 1.0 : rule.Multiplier);
                if (!byMultiplier.TryGetValue(multiplier, out var list)) byMultiplier[multiplier] = list = [];
                list.Add((name, parameter));
            }
            foreach (var (multiplier, parameters) in byMultiplier)
                result.Add(new TrainableGroup(byMultiplier.Count == 1 ? group.Name : $"{group.Name}×{multiplier:G3}", parameters, multiplier));
        }
        if (result.Count == 0) throw new ArgumentException("nothing left to train: every parameter is frozen");
        return result;
    }

    public StepResult Step(int step)
    {
        using var stepScope = NewDisposeScope();
        // Summed on the device and read once per step: a read per micro-batch would wait for the GPU each time.
        var total = zeros([], ScalarType.Float32, _model.Device);
        for (int micro = 0; micro < _settings.GradientAccumulation; micro++)
        {
            using var scope = NewDisposeScope();
            using var random = StepRandom(step, micro);
            var batch = _batches.Get(step, micro, random);
            var loss = PluginCall.Run(Name, nameof(ITrainingSession.Loss), () =>
            {
                var value = _session.Loss(batch, new TrainingStep(step, random, _model.Schedule, _settings));
                return value is null ? throw new InvalidOperationException("returned no loss (null)")
                    : value.numel() != 1 ? throw new InvalidOperationException($"returned a loss of shape [{string.Join(", ", value.shape)}]; a scalar is required")
                    : value;
            });
            _optimizer.Backward(loss / _settings.GradientAccumulation);
            total.add_(loss.detach().to(ScalarType.Float32).reshape([]));
        }
        double rate = _rates.RateAt(step);
        var update = _optimizer.Step(rate, _settings.MaxGradNorm);
        if (double.IsFinite(update.GradientNorm)) _ema?.Update(step);
        return new StepResult(total.item<float>() / _settings.GradientAccumulation, rate, update);
    }

    Generator StepRandom(int step, int micro)
    {
        ulong mixed = (_settings.Seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)step << 8) ^ (ulong)micro;
        return new Generator(0, CPU).manual_seed((long)(mixed & long.MaxValue));
    }

    public void SaveCheckpoint(string folder, int stepsDone)
    {
        SafetensorsWriter.Save(Path.Combine(folder, TrainableFile), _optimizer.Masters.Select(m => new KeyValuePair<string, Tensor>(m.Name, m.Parameter)));
        AtomicFile.Write(Path.Combine(folder, OptimizerFile), stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            _optimizer.Save(writer);
        });
        if (_ema is not null) SafetensorsWriter.Save(Path.Combine(folder, EmaFile), _ema.Weights);
        AtomicFile.WriteAllText(Path.Combine(folder, "state.json"), JsonSerializer.Serialize(new { trainer = Name, steps_done = stepsDone }));
        SaveResult(stepsDone);
    }

    public void LoadCheckpoint(string folder)
    {
        using (var file = SafetensorsFile.Open(Path.Combine(folder, TrainableFile)))
        using (no_grad())
        {
            foreach (var (name, parameter) in _trained)
            {
                if (!file.Contains(name)) throw new InvalidDataException($"{file.FilePath}: no saved value for '{name}' (was the run started with other options?)");
                using var saved = file.Load(name);
                if (!saved.shape.SequenceEqual(parameter.shape))
                    throw new InvalidDataException($"{file.FilePath}: '{name}' is [{string.Join(", ", saved.shape)}] but the run has [{string.Join(", ", parameter.shape)}]");
                parameter.copy_(saved);
            }
        }
        using (var stream = File.OpenRead(Path.Combine(folder, OptimizerFile)))
        using (var reader = new BinaryReader(stream))
            _optimizer.Load(reader);
        if (_ema is not null)
        {
            using var file = SafetensorsFile.Open(Path.Combine(folder, EmaFile));
            var weights = file.LoadAll();
            _ema.Load(weights);
            foreach (var tensor in weights.Values) tensor.Dispose();
        }
    }

    /// <summary>Lets the trainer write its result; with EMA the averaged weights are swapped in while it does.</summary>
    void SaveResult(int stepsDone)
    {
        Folders.Create(_output.Folder);
        var metadata = new Dictionary<string, string>(_metadata)
        {
            ["diffusiontune.step"] = stepsDone.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["diffusiontune.epoch"] = _batches.EpochsAfter(stepsDone).ToString("F3", System.Globalization.CultureInfo.InvariantCulture),
        };
        var save = new SaveContext(_output.Folder, _output.Name, stepsDone, _batches.EpochsAfter(stepsDone), stepsDone == TotalSteps,
            metadata, _model, _output.ModelFormat);
        using var swap = _ema is null ? null : SwapIn(_ema.Weights);
        LatestSave = PluginCall.Run(Name, nameof(ITrainingSession.Save), () => _session.Save(save) ?? throw new InvalidOperationException("returned null instead of the files it wrote"));
        _saved.AddRange(LatestSave);
    }

    /// <summary>Puts <paramref name="weights"/> (by trained-parameter name) into the parameters until disposed.</summary>
    IDisposable SwapIn(IReadOnlyDictionary<string, Tensor> weights)
    {
        var originals = new List<(Parameter, Tensor)>();
        using (no_grad())
        {
            foreach (var (name, parameter) in _trained)
            {
                originals.Add((parameter, parameter.detach().clone().DetachFromDisposeScope()));
                parameter.copy_(weights[name]);
            }
        }
        return new Restore(() =>
        {
            using var _ = no_grad();
            foreach (var (parameter, original) in originals)
            {
                parameter.copy_(original);
                original.Dispose();
            }
        });
    }

    sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>Where a run writes its sample grids.</summary>
    public static string SampleFolderOf(string runFolder) => Path.Combine(runFolder, "samples");

    /// <summary>
    /// Renders the sample grid when one is due (every <see cref="EngineSettings.SampleEvery"/> steps and at the end):
    /// one image per sample prompt, labelled with the prompt and the step. Cancelling stops it within a sampler step and writes no grid.
    /// </summary>
    public void AfterStep(int stepsDone, CancellationToken cancellation)
    {
        bool due = _settings.SampleEvery > 0 && stepsDone % _settings.SampleEvery == 0;
        if (!due && stepsDone != TotalSteps) return;
        var prompts = _settings.SamplePrompts.Count > 0 ? _settings.SamplePrompts : [_concept.InstancePrompt ?? ""];
        var path = Path.Combine(SampleFolderOf(_output.RunFolder), $"{_output.Name}-step{stepsDone:D6}.png");
        Folders.Create(Path.GetDirectoryName(path)!);
        _model.Unet.eval();
        _model.TextEncoder.eval();
        try
        {
            using var scope = NewDisposeScope();
            var pipeline = new TextToImagePipeline(_model);
            var images = new List<Tensor>(prompts.Count);
            foreach (var prompt in prompts)
            {
                images.Add(pipeline.Generate(new GenerationRequest
                {
                    Prompt = prompt,
                    Steps = _settings.SampleSteps,
                    GuidanceScale = _settings.SampleGuidance,
                    Sampler = new SamplerChoice(SamplerKind.Ddim),
                    Seed = 1,
                    Width = _model.NativeImageSize,
                    Height = _model.NativeImageSize,
                }, cancellation: cancellation));
            }
            var bitmaps = ImageTensors.ToBitmaps(cat(images, 0));
            // One image per row, labelled with its prompt (row labels are never shortened), under the step.
            using var grid = ImageGrid.Compose(bitmaps, 1, new ImageGridOptions
            {
                RowLabels = prompts,
                ColumnLabels = [$"step {stepsDone}"],
                LabelScale = _model.NativeImageSize >= 256 ? 2 : 1,
            });
            foreach (var bitmap in bitmaps) bitmap.Dispose();
            PngWriter.Write(path, grid, overwrite: true);
            if (_images is not null)
            {
                using var pixels = ImageTensors.ToTensor(grid);
                _images.Image(stepsDone, "samples", (pixels + 1) / 2);
            }
            _sampleWritten?.Invoke(path, stepsDone);
        }
        finally
        {
            _model.Unet.train();
            _model.TextEncoder.train();
        }
    }

    public void Dispose()
    {
        try
        {
            PluginCall.Run(Name, nameof(ITrainingSession.Dispose), _session.Dispose);
        }
        finally
        {
            _ema?.Dispose();
            _optimizer.Dispose();
        }
    }
}

/// <summary>Where a run writes: its run folder (checkpoints, logs, samples) and its results.</summary>
/// <param name="RunFolder">Checkpoints, logs and sample grids.</param>
/// <param name="Folder">Result files.</param>
/// <param name="Name">Stem of result file names.</param>
/// <param name="ModelFormat">How full checkpoints are written.</param>
public sealed record RunOutput(string RunFolder, string Folder, string Name, ModelOutputFormat ModelFormat);
