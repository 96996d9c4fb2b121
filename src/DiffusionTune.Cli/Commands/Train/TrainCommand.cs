using DiffusionTune.Cli.Rendering;
using DiffusionTune.Training.Engine;
using DiffusionTune.Training.Loop;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.Train;

/// <summary>Runs a <see cref="TrainJob"/> with a progress bar (loss, steps/s, time left) and lists the files it wrote.</summary>
public static class TrainCommand
{
    public static int Run(TrainJob job, string[] pluginFolders, CancellationToken cancellation)
    {
        var catalog = PluginRoots.Load(pluginFolders);
        foreach (var failure in catalog.Failures)
            AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] plugin {failure.Folder} was not loaded: {failure.Reason}");
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
            return CommandRunner.UserError;
        }
        using (result!.Model)
        {
            foreach (var file in result.Files.DistinctBy(f => f.Path))
                AnsiConsole.MarkupLineInterpolated($"wrote [bold]{file.Path}[/] ({file.Format})");
            if (!result.Finished)
            {
                AnsiConsole.MarkupLineInterpolated($"Stopped after {result.StepsDone} of {job.Engine.Steps} steps; run the same command again to resume from {job.RunFolder}.");
                return CommandRunner.Cancelled;
            }
        }
        return CommandRunner.Success;
    }

}
