using System.Globalization;
using DiffusionTune.Training.Engine;
using DiffusionTune.Training.Plugins;
using DiffusionTune.Workflows.Loading;
using DiffusionTune.Workflows.Settings;

namespace DiffusionTune.Workflows.Training;

/// <summary>
/// Checks a run's settings before any work starts (no model loaded, nothing written), naming the preset line or the
/// option behind each problem: ranges and choices, the trainer against the plugins actually loaded (with a
/// did-you-mean), the trainer's options against the options that trainer declares, block learning rates, the
/// folders and files the run reads, and that the folders it writes are not files.
/// </summary>
public static class TrainPreflight
{
    /// <summary>Throws <see cref="TrainSettingsException"/> listing every problem of <paramref name="values"/>.</summary>
    public static void Check(TrainSettingValues values, PluginCatalog plugins)
    {
        var problems = new List<string>();
        foreach (var setting in TrainSettings.All)
        {
            if (setting.Problem(values.ValueOf(setting)) is { } problem) problems.Add(values.OriginOf(setting).Describe(problem));
        }
        problems.AddRange(TrainerProblems(values, plugins));
        foreach (var entry in values.Get(TrainSettings.BlockLearningRates))
        {
            if (!double.TryParse(entry.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var multiplier) || !(multiplier >= 0) || !double.IsFinite(multiplier))
                problems.Add(entry.Origin.Describe($"the multiplier of '{entry.Name}' must be a number of at least 0, not '{entry.Text}'"));
        }
        CheckFolder(values, TrainSettings.Images, "no training images: give --images DIR (a folder of images with .txt captions)", problems);
        if (values.Get(TrainSettings.Model) is { } model && !Path.Exists(model))
            problems.Add(values.OriginOf(TrainSettings.Model).Describe($"model '{Path.GetFullPath(model)}' not found"));
        else if (values.Get(TrainSettings.Model) is null && !Directory.Exists(EmbeddedModel.Folder))
            problems.Add($"no --model was given and the embedded model is missing (expected {EmbeddedModel.Folder}); pass --model PATH");
        if (values.Get(TrainSettings.Prior) != "none" && values.Get(TrainSettings.ClassPrompt) is null)
            problems.Add(values.OriginOf(TrainSettings.Prior).Describe(
                "prior preservation needs a class prompt: give --instance-prompt \"a photo of sks dog\" --class-prompt \"a photo of dog\" (your subject's words)"));
        if (values.Get(TrainSettings.Prior) == "images")
            CheckFolder(values, TrainSettings.ClassImagesFolder, "--prior images needs --class-images-folder DIR", problems);
        CheckWrittenFolder(values, TrainSettings.Output, values.Get(TrainSettings.Output), problems);
        CheckWrittenFolder(values, TrainSettings.Run, values.Get(TrainSettings.Run), problems);
        if (values.Get(TrainSettings.WarmupSteps) > values.Get(TrainSettings.Steps))
            problems.Add(values.OriginOf(TrainSettings.WarmupSteps).Describe($"must not exceed the steps ({values.Get(TrainSettings.Steps)})"));
        if (problems.Count > 0) throw new TrainSettingsException(problems);
    }

    /// <summary>Problems of the trainer and its options, checked against the trainer <paramref name="plugins"/> provides.</summary>
    public static IReadOnlyList<string> TrainerProblems(TrainSettingValues values, PluginCatalog plugins)
    {
        var problems = new List<string>();
        var name = values.Get(TrainSettings.Trainer);
        if (name is null)
        {
            problems.Add("no trainer: give --trainer NAME or --preset NAME (see `plugins list` and `presets list`)");
            return problems;
        }
        var trainer = plugins.Trainers.FirstOrDefault(t => t.Info.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (trainer is null)
        {
            var installed = plugins.Trainers.Select(t => t.Info.Name).ToList();
            problems.Add(values.OriginOf(TrainSettings.Trainer).Describe(installed.Count == 0
                ? $"no trainer named '{name}': no trainer plugins were found"
                : $"no trainer named '{name}'{NameSuggestions.Hint(name, installed)}; installed: {string.Join(", ", installed)}"));
            return problems;
        }
        foreach (var entry in values.Get(TrainSettings.TrainerOptions))
        {
            if (TrainerOptionParser.Problem(trainer.Info, entry.Name, entry.Text) is { } problem) problems.Add(entry.Origin.Describe(problem));
        }
        return problems;
    }

    static void CheckFolder(TrainSettingValues values, TrainSetting<string?> setting, string whenMissing, List<string> problems)
    {
        var folder = values.Get(setting);
        if (folder is null) problems.Add(whenMissing);
        else if (File.Exists(folder)) problems.Add(values.OriginOf(setting).Describe($"'{Path.GetFullPath(folder)}' is a file, not a folder"));
        else if (!Directory.Exists(folder)) problems.Add(values.OriginOf(setting).Describe($"folder '{Path.GetFullPath(folder)}' not found"));
    }

    /// <summary>A folder the run writes (<paramref name="folder"/>, the value of <paramref name="setting"/>) may not exist yet, but must not be a file.</summary>
    static void CheckWrittenFolder(TrainSettingValues values, TrainSetting setting, string? folder, List<string> problems)
    {
        if (folder is not null && File.Exists(folder))
            problems.Add(values.OriginOf(setting).Describe($"'{Path.GetFullPath(folder)}' is a file, not a folder"));
    }
}
