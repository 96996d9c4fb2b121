using DiffusionTune.Cli.Rendering;
using DiffusionTune.Workflows.Generation;

namespace DiffusionTune.Cli.Commands.Generate;

/// <summary>Runs a <see cref="GenerationJob"/> with a progress bar per batch.</summary>
public static class GenerateCommand
{
    public static int Run(GenerateSettings settings, CancellationToken cancellation)
    {
        ConsoleReporter.Run(reporter => GenerationJob.Run(settings, reporter, cancellation));
        return CommandRunner.Success;
    }
}
