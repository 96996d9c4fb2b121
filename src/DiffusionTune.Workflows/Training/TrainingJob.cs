using DiffusionTune.Training.Engine;
using DiffusionTune.Training.Loop;
using DiffusionTune.Training.Plugins;
using DiffusionTune.Workflows.Damage;
using DiffusionTune.Workflows.Loading;
using DiffusionTune.Workflows.Plugins;
using DiffusionTune.Workflows.Presets;
using DiffusionTune.Workflows.Reporting;
using DiffusionTune.Workflows.Settings;

namespace DiffusionTune.Workflows.Training;

/// <summary>
/// A training run as the user asks for it. <see cref="Prepare"/> resolves a <see cref="TrainRequest"/> (defaults, then
/// the preset, then the user's own settings), checks it before any work (<see cref="TrainPreflight"/>) and places it
/// (<see cref="RunPlacement"/>: resumes its own run, or moves beside a run folder that holds another). <see cref="Run"/>
/// trains with progress (loss per step; loss and learning rate as metrics; each sample grid as an image), listing the files it wrote; then draws a preset run's before/after grid
/// (<see cref="BeforeAfterGrid"/>) and measures what the result did to the base model unless the damage report is off
/// (<see cref="TrainingDamageReport"/>). <see cref="NextSteps"/> says what was written and how to try it.
/// </summary>
public static class TrainingJob
{
    /// <exception cref="TrainSettingsException">The settings have problems (all of them are listed).</exception>
    public static PreparedTraining Prepare(TrainRequest request, IWorkflowReporter reporter)
    {
        var (values, catalog, quickStart) = Resolve(request, reporter);
        var placement = RunPlacement.Choose(values.ToJob(EmbeddedModel.Resolve(values.Get(TrainSettings.Model))),
            catalog.Find(values.Get(TrainSettings.Trainer)!).Info, runFolderNamed: values.IsSet(TrainSettings.Run));
        reporter.Message(placement.Message);
        return new PreparedTraining(placement.Job, catalog, request.PluginFolders)
        {
            PresetRun = request.Preset is not null || quickStart,
            DamageReport = values.Get(TrainSettings.DamageReport)!,
            BaseModelGiven = values.Get(TrainSettings.Model) is not null,
        };
    }

    /// <summary>
    /// Checks <paramref name="request"/> as <see cref="Prepare"/> does (defaults, preset, the user's settings, then
    /// <see cref="TrainPreflight"/>), without placing the run, writing or saying anything: a host refuses bad settings
    /// before it queues them. <paramref name="plugins"/> are the plugins the request's plugin folders give, loaded once
    /// by a host that checks often (each load of a plugin loads its assembly again).
    /// </summary>
    /// <exception cref="TrainSettingsException">The settings have problems (all of them are listed).</exception>
    public static TrainSettingValues Check(TrainRequest request, PluginCatalog plugins) => Resolve(request, SilentReporter.Instance, plugins).Values;

    /// <summary>
    /// The run's settings (defaults, then the preset, then the user's own), checked, with the plugins they were checked
    /// against (<paramref name="plugins"/>, else those of the request's plugin folders, loaded now).
    /// </summary>
    static (TrainSettingValues Values, PluginCatalog Catalog, bool QuickStart) Resolve(TrainRequest request, IWorkflowReporter reporter, PluginCatalog? plugins = null)
    {
        bool quickStart = QuickStart.Applies(request);
        var values = Resolve(request, quickStart, reporter);
        var catalog = plugins ?? PluginRoots.LoadWithWarnings(request.PluginFolders, reporter);
        TrainPreflight.Check(values, catalog);
        return (values, catalog, quickStart);
    }

    /// <summary>
    /// The run's settings: the defaults, then the preset (its <c>shapes-world:</c> settings too when no model is given,
    /// saying so in one line), then the user's own settings.
    /// </summary>
    public static TrainSettingValues Resolve(TrainRequest request, bool quickStart, IWorkflowReporter reporter)
    {
        var values = TrainSettingValues.Defaults();
        if ((request.Preset ?? (quickStart ? QuickStart.PresetName : null)) is { } presetName)
        {
            var preset = PresetReader.Read(PresetLibrary.Load(request.PresetFolders).Locate(presetName));
            // Each preset its own output folder, so that runs of different presets never meet.
            values.Set(TrainSettings.Output, new SettingValue(Path.Combine("outputs", preset.Name), new SettingOrigin($"preset {preset.Name}")));
            bool onEmbeddedModel = !request.Gives(TrainSettings.Model) && !preset.NamesModel;
            preset.ApplyTo(values, onEmbeddedModel);
            reporter.Message($"Preset {preset.Name} ({preset.FilePath})");
            if (onEmbeddedModel && ModelFamily.EmbeddedSettingsLine(preset) is { } line)
                reporter.Message(line);
            if (ModelFamily.EmbeddedModelWarning(preset, modelGiven: !onEmbeddedModel) is { } warning)
                reporter.Warning(warning);
        }
        foreach (var (setting, value) in request.CommandLine) values.Set(setting, value);
        if (quickStart) QuickStart.UseSampleImages(values, reporter);
        return values;
    }

    /// <summary>Trains <paramref name="prepared"/>; a finished run then gets its before/after grid (preset runs) and damage report.</summary>
    /// <exception cref="TrainingDivergedException">The loss diverged; the run stopped.</exception>
    public static TrainOutcome Run(PreparedTraining prepared, IWorkflowReporter reporter, CancellationToken cancellation)
    {
        var job = prepared.Job;
        var result = Train(job, prepared.Catalog, reporter, cancellation);
        if (!result.Finished) return new TrainOutcome(job, result, null, [], null, null);
        // Cancelled after the last step (while its sample grid rendered): the run is complete, the follow-up work is skipped.
        cancellation.ThrowIfCancellationRequested();
        var trained = TrainedResult.Of(job, result);
        var prompts = TrainedResult.Prompts(job, result);
        // A run that had nothing left to train keeps the grid and damage report it made when it finished.
        bool trainedNow = result.FinalFiles.Count > 0;
        var grid = !prepared.PresetRun ? null
            : trainedNow ? BeforeAfterGrid.Write(job, trained, prompts, prepared.PluginFolders, reporter, cancellation)
            : BeforeAfterGrid.Existing(job);
        var damage = prepared.DamageReport != "off" && trainedNow
            ? TrainingDamageReport.Write(job, result, prepared.PluginFolders, evaluate: prepared.DamageReport == "evaluate", reporter, cancellation)
            : null;
        return new TrainOutcome(job, result, trained, prompts, grid, damage);
    }

    /// <summary>What the run produced (its model already disposed).</summary>
    static TrainResult Train(TrainJob job, PluginCatalog catalog, IWorkflowReporter reporter, CancellationToken cancellation)
    {
        IWorkflowProgress? task = null;
        double smoothed = double.NaN;
        var engine = new TrainingEngine(catalog, info: reporter.Message, warning: reporter.Warning,
            sampleWritten: (path, step) => reporter.ImageReady(path, $"sample, step {step}"));
        var result = engine.Run(job,
            (done, total, step) =>
            {
                task ??= reporter.Start(job.OutputName, total, done - 1);
                smoothed = double.IsNaN(smoothed) ? step.Loss : 0.95 * smoothed + 0.05 * step.Loss;
                reporter.Metric("loss", done, step.Loss);
                reporter.Metric("learning_rate", done, step.LearningRate);
                task.Advance(done, $"loss {smoothed:F4}");
                if (done == total) task.Finish($"done, loss {smoothed:F4}");
            },
            reporter.Message,
            cancellation);
        using (result.Model)
        {
            foreach (var file in result.Files.DistinctBy(f => f.Path))
                reporter.Message($"wrote {file.Path} ({file.Format})");
            if (!result.Finished)
                reporter.Message($"Stopped after {result.StepsDone} of {job.Engine.Steps} steps; run the same command again to resume from {job.RunFolder}.");
        }
        return result;
    }
}
