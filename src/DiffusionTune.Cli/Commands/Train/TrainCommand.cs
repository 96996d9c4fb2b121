using DiffusionTune.Cli.Rendering;
using DiffusionTune.Training.Loop;
using DiffusionTune.Workflows.Damage;
using DiffusionTune.Workflows.Training;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.Train;

/// <summary>
/// Runs a <see cref="TrainingJob"/> with a progress bar (loss, steps/s, time left), then prints its damage report
/// (<see cref="DamageTables"/>) and what was written and how to try it (<see cref="NextSteps"/>).
/// </summary>
public static class TrainCommand
{
    public static int Run(TrainRequest request, CancellationToken cancellation)
    {
        var prepared = TrainingJob.Prepare(request, ConsoleReporter.Lines);
        TrainOutcome outcome;
        try
        {
            outcome = ConsoleReporter.Run(reporter => TrainingJob.Run(prepared, reporter, cancellation));
        }
        catch (TrainingDivergedException e)
        {
            CommandRunner.WriteError(e.Message);
            return CommandRunner.UserError;
        }
        if (!outcome.Result.Finished) return CommandRunner.Cancelled;
        if (outcome.Damage is { } damage)
        {
            DamageTables.Write(damage);
            AnsiConsole.MarkupLineInterpolated($"Damage report [bold]{TrainingDamageReport.PathFor(outcome.Job)}[/]");
        }
        foreach (var line in NextSteps.Lines(outcome.Job, outcome.Trained, outcome.Prompts, outcome.BeforeAfterGrid, prepared.BaseModelGiven, prepared.PluginFolders))
            Console.WriteLine(line);
        return CommandRunner.Success;
    }
}
