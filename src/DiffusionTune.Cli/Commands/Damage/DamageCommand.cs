using DiffusionTune.Cli.Rendering;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Damage;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.Damage;

/// <summary>Measures a fine-tune's damage on demand, prints the tables and writes the JSON report.</summary>
public static class DamageCommand
{
    /// <param name="output">The report's path; null = <c>outputs/damage/NAME.damage.json</c>, NAME from the tuned model or its first adapter.</param>
    public static int Run(DamageRequest request, string? output, CancellationToken cancellation)
    {
        var report = ConsoleReporter.Run(reporter => DamageMeter.Measure(request, reporter, cancellation));
        var path = Path.GetFullPath(output ?? Path.Combine("outputs", "damage", Name(request) + DamageReport.FileExtension));
        report.Write(path);
        DamageTables.Write(report);
        AnsiConsole.MarkupLineInterpolated($"Report [bold]{path}[/]");
        return CommandRunner.Success;
    }

    /// <summary>What the report is about: the first adapter's file name, else the tuned (or base) model's.</summary>
    static string Name(DamageRequest request)
    {
        var adapters = request.Adapters;
        var subject = adapters.Loras.Select(l => l.Path).FirstOrDefault()
            ?? adapters.Hypernetworks.Select(h => FileStrengthArgument.Parse(h, "--hypernetwork", "hypernetwork").Path).FirstOrDefault()
            ?? adapters.Embeddings ?? request.Tuned ?? request.Base ?? "shapes-world";
        return Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(subject));
    }
}
