using System.Globalization;
using DiffusionTune.Training.Data;
using DiffusionTune.Training.Engine;
using DiffusionTune.Training.Optimization;

namespace DiffusionTune.Workflows.Settings;

/// <summary>
/// The value of every <see cref="TrainSettings"/> entry for one run, each with its origin: the defaults, overlaid by a
/// preset, overlaid by what the command line gave explicitly. <see cref="ToJob"/> turns them into a
/// <see cref="TrainJob"/>.
/// </summary>
public sealed class TrainSettingValues
{
    readonly Dictionary<TrainSetting, SettingValue> _values;

    TrainSettingValues(Dictionary<TrainSetting, SettingValue> values) => _values = values;

    /// <summary>Every setting at its default.</summary>
    public static TrainSettingValues Defaults() =>
        new(TrainSettings.All.ToDictionary(s => s, s => new SettingValue(s.DefaultValue, SettingOrigin.Default)));

    /// <summary>Sets <paramref name="setting"/> (merging settings combine with what they held).</summary>
    public void Set(TrainSetting setting, SettingValue value) =>
        _values[setting] = setting.Merges ? value with { Value = setting.Combine(_values[setting].Value, value.Value) } : value;

    public T Get<T>(TrainSetting<T> setting) => (T)_values[setting].Value!;

    /// <summary>The value of <paramref name="setting"/>, untyped.</summary>
    public object? ValueOf(TrainSetting setting) => _values[setting].Value;

    public SettingOrigin OriginOf(TrainSetting setting) => _values[setting].Origin;

    /// <summary>Whether the setting was given by a preset or on the command line.</summary>
    public bool IsSet(TrainSetting setting) => _values[setting].Origin != SettingOrigin.Default;

    /// <summary>
    /// The job these values describe. Paths are taken as given (relative to the current folder); the trainer must be
    /// set. <paramref name="model"/> is the resolved base model.
    /// </summary>
    public TrainJob ToJob(string model)
    {
        var trainer = Get(TrainSettings.Trainer) ?? throw new ArgumentException("no trainer: give --trainer NAME or --preset NAME");
        var outputFolder = Path.GetFullPath(Get(TrainSettings.Output));
        var stem = Get(TrainSettings.Name) ?? trainer;
        return new TrainJob
        {
            Trainer = trainer,
            TrainerOptions = Get(TrainSettings.TrainerOptions).ToDictionary(o => o.Name, o => o.Text, StringComparer.OrdinalIgnoreCase),
            Model = model,
            Images = Get(TrainSettings.Images) ?? throw new ArgumentException("no training images: give --images DIR"),
            InstancePrompt = Get(TrainSettings.InstancePrompt),
            ClassPrompt = Get(TrainSettings.ClassPrompt),
            Engine = new EngineSettings
            {
                Steps = Get(TrainSettings.Steps),
                BatchSize = Get(TrainSettings.BatchSize),
                GradientAccumulation = Get(TrainSettings.GradientAccumulation),
                LearningRate = Get(TrainSettings.LearningRate),
                Schedule = LearningRateSchedule.ParseShape(Get(TrainSettings.LearningRateSchedule)),
                WarmupSteps = Get(TrainSettings.WarmupSteps),
                MaxGradNorm = Get(TrainSettings.MaxGradNorm),
                WeightDecay = Get(TrainSettings.WeightDecay),
                Seed = Get(TrainSettings.Seed),
                EmaDecay = Get(TrainSettings.EmaDecay),
                NoiseOffset = Get(TrainSettings.NoiseOffset),
                MinSnrGamma = Get(TrainSettings.MinSnrGamma),
                ClipSkip = Get(TrainSettings.ClipSkip),
                GradientCheckpointing = Get(TrainSettings.GradientCheckpointing),
                OptimizerMoments = Get(TrainSettings.OptimizerMoments) == "bf16" ? MomentPrecision.Bf16 : MomentPrecision.Fp32,
                Freeze = Get(TrainSettings.Freeze),
                BlockLearningRates = Get(TrainSettings.BlockLearningRates).Select(b => (b.Name, BlockMultiplier(b))).ToList(),
                SaveEvery = Get(TrainSettings.SaveEvery),
                SampleEvery = Get(TrainSettings.SampleEvery),
                SamplePrompts = Get(TrainSettings.SamplePrompts),
                SampleSteps = Get(TrainSettings.SampleSteps),
                SampleGuidance = Get(TrainSettings.SampleCfg),
            },
            Resolution = Get(TrainSettings.Resolution),
            Repeats = Get(TrainSettings.Repeats),
            RandomFlip = Get(TrainSettings.Flip),
            AspectBuckets = Get(TrainSettings.Buckets),
            OnBadImage = Get(TrainSettings.OnBadImage) == "skip" ? BadImageHandling.Skip : BadImageHandling.Refuse,
            CaptionDropout = Get(TrainSettings.CaptionDropout),
            Prior = Get(TrainSettings.Prior) switch
            {
                "generated" => PriorPreservation.Generated,
                "images" => PriorPreservation.Images,
                _ => PriorPreservation.None,
            },
            ClassImages = Get(TrainSettings.ClassImages),
            ClassImagesFolder = Get(TrainSettings.ClassImagesFolder),
            PriorLossWeight = Get(TrainSettings.PriorLossWeight),
            OutputFolder = outputFolder,
            OutputName = stem,
            ModelFormat = Get(TrainSettings.ModelFormat) == "safetensors" ? ModelOutputFormat.SingleFile : ModelOutputFormat.Diffusers,
            RunFolder = Path.GetFullPath(Get(TrainSettings.Run) ?? Path.Combine(outputFolder, $"{stem}-run")),
            Device = Get(TrainSettings.Device),
            Precision = Get(TrainSettings.Precision),
        };
    }

    static double BlockMultiplier(NamedValue entry) =>
        double.TryParse(entry.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException(entry.Origin.Describe($"'{entry.Name}' must be a number, not '{entry.Text}'"));
}
