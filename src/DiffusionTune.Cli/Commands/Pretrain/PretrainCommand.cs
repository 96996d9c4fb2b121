using DiffusionTune.Cli.Rendering;
using DiffusionTune.Models.Kernels;
using DiffusionTune.Models.Runtime;
using DiffusionTune.ShapesWorld.Pretraining;
using DiffusionTune.Training.Loop;
using DiffusionTune.Workflows.Reporting;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.Pretrain;

/// <summary>Runs <see cref="ShapesWorldPretrainer"/> with a progress bar per stage (loss, rate, time left).</summary>
public static class PretrainCommand
{
    public static int Run(string runFolder, string outputFolder, string deviceSpec, string precisionSpec,
        Func<PretrainSettings, PretrainSettings> configure, CancellationToken cancellation)
    {
        var device = ComputeDevice.Resolve(deviceSpec);
        var settings = configure(new PretrainSettings
        {
            RunFolder = Path.GetFullPath(runFolder),
            Device = device,
            Dtype = Precision.Resolve(precisionSpec, device, CommandRunner.WriteWarning),
        });
        settings.Validate();
        // It builds its models rather than loading them, so it runs the check that loading a model runs.
        HostKernelCheck.EnsureRight(settings.Device, settings.Dtype);
        bool finished = false;
        try
        {
            ConsoleReporter.Run(reporter =>
            {
                IWorkflowProgress? task = null;
                double smoothedLoss = double.NaN;
                var pretrainer = new ShapesWorldPretrainer(settings);
                finished = pretrainer.Run(Path.GetFullPath(outputFolder),
                    status =>
                    {
                        reporter.Message(status);
                        task = null;
                        smoothedLoss = double.NaN;
                    },
                    (done, total, result) =>
                    {
                        task ??= reporter.Start("training", total, done - 1);
                        smoothedLoss = double.IsNaN(smoothedLoss) ? result.Loss : 0.98 * smoothedLoss + 0.02 * result.Loss;
                        task.Advance(done, $"loss {smoothedLoss:F4} lr {result.LearningRate:G3}");
                        if (done == total) task.Finish($"done, loss {smoothedLoss:F4}");
                    },
                    cancellation);
            });
        }
        catch (TrainingDivergedException e)
        {
            CommandRunner.WriteError(e.Message);
            return CommandRunner.UserError;
        }
        if (!finished)
        {
            AnsiConsole.MarkupLineInterpolated($"Stopped; checkpoints are in [bold]{settings.RunFolder}[/]. Run the same command again to resume.");
            return CommandRunner.Cancelled;
        }
        return CommandRunner.Success;
    }
}
