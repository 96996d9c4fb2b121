using DiffusionTune.Cli.Rendering;
using DiffusionTune.Workflows.Comparison;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.Compare;

/// <summary>Runs a comparison and reports where the grid is and which cells failed.</summary>
public static class CompareCommand
{
    /// <returns>0 when every cell has its image, 1 when some failed (the others are still written).</returns>
    public static int Run(ComparisonPlan plan, CancellationToken cancellation)
    {
        var result = ConsoleReporter.Run(reporter => ComparisonRun.Run(plan, reporter, cancellation));
        int generated = result.Cells.Count(c => c.Status == CellStatus.Generated);
        int reused = result.Cells.Count(c => c.Status == CellStatus.Existing);
        var failures = result.Failures.ToList();
        foreach (var failure in failures)
            AnsiConsole.MarkupLineInterpolated($"[red]failed:[/] {plan.Columns[failure.Column].Label} · {plan.Rows[failure.Row].Label}: {failure.Problem}");
        AnsiConsole.MarkupLineInterpolated($"{plan.Rows.Count} row(s) × {plan.Columns.Count} column(s): {generated} generated, {reused} reused, {failures.Count} failed");
        if (result.GridPath is not null) AnsiConsole.MarkupLineInterpolated($"Grid: [bold]{result.GridPath}[/]");
        AnsiConsole.MarkupLineInterpolated($"Images and {Path.GetFileName(result.ManifestPath)} in [bold]{Path.GetDirectoryName(result.ManifestPath)}[/]");
        return failures.Count == 0 ? CommandRunner.Success : CommandRunner.UserError;
    }
}
