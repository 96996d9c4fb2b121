using DiffusionTune.Cli.Commands.Generate;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.Compare;

/// <summary>Runs a comparison and reports where the grid is and which cells failed.</summary>
public static class CompareCommand
{
    /// <summary>Longest row label in characters: longer prompts are cut (the cell images keep the whole prompt).</summary>
    const int RowLabelLength = 40;

    /// <returns>0 when every cell has its image, 1 when some failed (the others are still written).</returns>
    public static int Run(ComparisonPlan plan, CancellationToken cancellation)
    {
        var result = ComparisonRun.Run(plan, cancellation);
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

    /// <summary>
    /// One row per prompt and seed: <paramref name="seedCount"/> seeds from the prompt's own seed or <paramref name="seed"/>;
    /// with a <paramref name="yAxis"/>, each of those rows once per value (a prompt axis gives the prompts instead). When
    /// the columns give the prompts (<paramref name="columnsGivePrompts"/>) and none is given, the rows start from one unlabelled row.
    /// </summary>
    public static IReadOnlyList<ComparisonRow> Rows(IReadOnlyList<string> prompts, string? promptsFile, long seed, int seedCount,
        IReadOnlyList<ComparisonSetting>? yAxis = null, bool columnsGivePrompts = false)
    {
        if (seedCount < 1) throw new ArgumentException("--seeds must be at least 1");
        if (prompts.Count > 0 && promptsFile is not null) throw new ArgumentException("give either --prompt or --prompts, not both");
        bool promptAxis = yAxis is [{ Axis: SettingAxis.Prompt }, ..];
        if (promptAxis && (prompts.Count > 0 || promptsFile is not null)) throw new ArgumentException("--y prompt:… gives the prompts: leave out --prompt and --prompts");
        var jobs = promptAxis ? yAxis!.Select(s => new PromptJob(s.Value)).ToList()
            : promptsFile is not null ? PromptFile.Read(promptsFile)
            : prompts.Count > 0 ? prompts.Select(p => new PromptJob(p)).ToList()
            : columnsGivePrompts ? [new PromptJob("")]
            : throw new ArgumentException("nothing to compare: give --prompt TEXT (repeatable) or --prompts FILE");
        var rows = jobs.SelectMany(job => Enumerable.Range(0, seedCount).Select(i =>
        {
            long rowSeed = (job.Seed ?? seed) + i;
            var label = job.Prompt.Length > RowLabelLength ? job.Prompt[..(RowLabelLength - 2)] + ".." : job.Prompt;
            return new ComparisonRow(seedCount > 1 ? $"{label} #{rowSeed}" : label, job, rowSeed);
        })).ToList();
        if (yAxis is null || promptAxis) return rows;
        return [.. rows.SelectMany(row => yAxis.Select(setting => setting.Apply(row) with { Label = row.Label.Length == 0 ? setting.Label : $"{row.Label} · {setting.Label}" }))];
    }
}
