using System.Globalization;
using DiffusionTune.Contracts;
using DiffusionTune.Workflows.Plugins;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.Plugins;

/// <summary>
/// Shows every loaded trainer (name, version, contract, options), every plugin that failed with the reason, and every
/// install problem with what was expected.
/// </summary>
public static class PluginsListCommand
{
    public static int Run(string[] extraFolders)
    {
        var catalog = PluginRoots.Load(extraFolders);
        foreach (var loaded in catalog.Trainers)
        {
            var info = loaded.Info;
            AnsiConsole.MarkupLineInterpolated($"[bold]{info.Name}[/] {info.Version} (contract {info.ContractVersion}) — {info.Description}");
            if (info.Produces.Length > 0) AnsiConsole.MarkupLineInterpolated($"  produces: {info.Produces}");
            AnsiConsole.MarkupLineInterpolated($"  from: {loaded.Folder}");
            if (info.Options.Count > 0) AnsiConsole.Write(OptionTable(info.Options));
        }
        if (catalog.Trainers.Count == 0) AnsiConsole.MarkupLine("[yellow]no trainer plugins were found[/]");
        foreach (var format in catalog.AdapterFormats)
            AnsiConsole.MarkupLineInterpolated($"adapter format [bold]{format.Name}[/] (generate --adapter) from: {format.Folder}");
        foreach (var failure in catalog.Failures)
            AnsiConsole.MarkupLineInterpolated($"[red]failed:[/] {failure.Folder}: {failure.Reason}");
        foreach (var problem in catalog.InstallProblems) CommandRunner.WriteWarning(problem.Message);
        return CommandRunner.Success;
    }

    /// <summary>
    /// Two columns: the option's name, never wrapped (it is what users type), and its kind, default and allowed values
    /// above its help, which wrap into whatever width is left (80 columns when output is redirected).
    /// </summary>
    static Table OptionTable(IReadOnlyList<TrainerOption> options)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("option").NoWrap())
            .AddColumn("value and meaning");
        foreach (var option in options)
            table.AddRow(new Text(option.Name), new Markup($"[dim]{Markup.Escape(Value(option))}[/]\n{Markup.Escape(option.Help)}"));
        return table;
    }

    /// <summary>The option's kind with its allowed values and default, e.g. "number in [0, 10], default 1".</summary>
    static string Value(TrainerOption option)
    {
        var kind = option.Kind switch
        {
            TrainerOptionKind.Choice => $"one of {string.Join(" | ", option.Choices)}",
            TrainerOptionKind.Integer => $"whole number in {option.Range}",
            TrainerOptionKind.Number => $"number in {option.Range}",
            TrainerOptionKind.Boolean => "true | false",
            _ => "text",
        };
        var defaultValue = option.Default switch
        {
            null => "none",
            bool flag => flag ? "true" : "false",
            IFormattable value => value.ToString(null, CultureInfo.InvariantCulture),
            var value => value.ToString(),
        };
        return $"{kind}, default {defaultValue}";
    }
}
