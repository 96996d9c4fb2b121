using DiffusionTune.Cli.Commands.Damage;
using DiffusionTune.Cli.Commands.Generate;
using DiffusionTune.Cli.Presets;
using DiffusionTune.Cli.Rendering;
using DiffusionTune.Training.Engine;
using DiffusionTune.Training.Loop;
using DiffusionTune.Training.Plugins;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.Train;

/// <summary>
/// Resolves a <see cref="TrainRequest"/> (defaults, then the preset, then the command line), checks it before any work
/// (<see cref="TrainPreflight"/>), places it (<see cref="RunPlacement"/>: resumes its own run, or moves beside a run
/// folder that holds another), and runs it with a progress bar (loss, steps/s, time left), listing the files it wrote;
/// then draws a preset run's before/after grid (<see cref="BeforeAfterGrid"/>), measures what the result did to the
/// base model unless <c>--damage-report off</c> (<see cref="TrainingDamageReport"/>), and says what was written and
/// how to try it (<see cref="NextSteps"/>).
/// </summary>
public static class TrainCommand
{
    public static int Run(TrainRequest request, CancellationToken cancellation)
    {
        bool quickStart = QuickStart.Applies(request);
        var values = Resolve(request, quickStart);

        var catalog = PluginRoots.LoadWithWarnings(request.PluginFolders);
        TrainPreflight.Check(values, catalog);
        var placement = RunPlacement.Choose(values.ToJob(EmbeddedModel.Resolve(values.Get(TrainSettings.Model))),
            catalog.Find(values.Get(TrainSettings.Trainer)!).Info, runFolderNamed: values.IsSet(TrainSettings.Run));
        // Unwrapped: it names folders to copy.
        Console.WriteLine(placement.Message);
        var job = placement.Job;

        var (code, result) = Train(job, catalog, cancellation);
        if (code != CommandRunner.Success) return code;
        // Cancelled after the last step (while its sample grid rendered): the run is complete, the follow-up work is skipped.
        cancellation.ThrowIfCancellationRequested();
        var trained = TrainedResult.Of(job, result!);
        var prompts = TrainedResult.Prompts(job, result!);
        // A run that had nothing left to train keeps the grid and damage report it made when it finished.
        bool trainedNow = result!.FinalFiles.Count > 0;
        var grid = request.Preset is null && !quickStart ? null
            : trainedNow ? BeforeAfterGrid.Write(job, trained, prompts, request.PluginFolders, cancellation)
            : BeforeAfterGrid.Existing(job);
        var damageReport = values.Get(TrainSettings.DamageReport);
        if (damageReport != "off" && trainedNow) TrainingDamageReport.Write(job, result, request.PluginFolders, evaluate: damageReport == "evaluate", cancellation);
        NextSteps.Print(job, trained, prompts, grid, baseModelGiven: values.Get(TrainSettings.Model) is not null, request.PluginFolders);
        return code;
    }

    /// <summary>
    /// The run's settings: the defaults, then the preset (its <c>shapes-world:</c> settings too when no model is given,
    /// saying so in one line), then the command line.
    /// </summary>
    public static TrainSettingValues Resolve(TrainRequest request, bool quickStart)
    {
        var values = TrainSettingValues.Defaults();
        if ((request.Preset ?? (quickStart ? QuickStart.PresetName : null)) is { } presetName)
        {
            var preset = PresetReader.Read(PresetLibrary.Load(request.PresetFolders).Locate(presetName));
            // Each preset its own output folder, so that runs of different presets never meet.
            values.Set(TrainSettings.Output, new SettingValue(Path.Combine("outputs", preset.Name), new SettingOrigin($"preset {preset.Name}")));
            bool onEmbeddedModel = !request.Gives(TrainSettings.Model) && !preset.NamesModel;
            preset.ApplyTo(values, onEmbeddedModel);
            AnsiConsole.MarkupLineInterpolated($"Preset [bold]{preset.Name}[/] ({preset.FilePath})");
            if (onEmbeddedModel && ModelFamily.EmbeddedSettingsLine(preset) is { } line)
                Console.WriteLine(line);
            if (ModelFamily.EmbeddedModelWarning(preset, modelGiven: !onEmbeddedModel) is { } warning)
                CommandRunner.WriteWarning($"{warning}");
        }
        foreach (var (setting, value) in request.CommandLine) values.Set(setting, value);
        if (quickStart) QuickStart.UseSampleImages(values);
        return values;
    }

    /// <returns>The exit code, and what the run produced (its model already disposed).</returns>
    static (int Code, TrainResult? Result) Train(TrainJob job, PluginCatalog catalog, CancellationToken cancellation)
    {
        TrainResult? result = null;
        try
        {
            ProgressDisplay.Run(progress =>
            {
                ProgressDisplay.ITask? task = null;
                double smoothed = double.NaN;
                var engine = new TrainingEngine(catalog,
                    info: message => progress.Log(Markup.Escape(message)),
                    warning: message => progress.Log($"[yellow]warning:[/] {Markup.Escape(message)}"));
                result = engine.Run(job,
                    (done, total, step) =>
                    {
                        task ??= progress.Start(job.OutputName, total, done - 1);
                        smoothed = double.IsNaN(smoothed) ? step.Loss : 0.95 * smoothed + 0.05 * step.Loss;
                        task.Advance(done, $"loss {smoothed:F4}");
                        if (done == total) task.Finish($"done, loss {smoothed:F4}");
                    },
                    status => progress.Log(Markup.Escape(status)),
                    cancellation);
            });
        }
        catch (TrainingDivergedException e)
        {
            CommandRunner.WriteError(e.Message);
            return (CommandRunner.UserError, null);
        }
        using (result!.Model)
        {
            foreach (var file in result.Files.DistinctBy(f => f.Path))
                AnsiConsole.MarkupLineInterpolated($"wrote [bold]{file.Path}[/] ({file.Format})");
            if (!result.Finished)
            {
                AnsiConsole.MarkupLineInterpolated($"Stopped after {result.StepsDone} of {job.Engine.Steps} steps; run the same command again to resume from {job.RunFolder}.");
                return (CommandRunner.Cancelled, result);
            }
        }
        return (CommandRunner.Success, result);
    }
}
