using DiffusionTune.Contracts;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.Plugins;

/// <summary>Shows every loaded trainer (name, version, contract, options) and every plugin that failed, with the reason.</summary>
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
            var table = new Table().Border(TableBorder.Rounded).AddColumn("option").AddColumn("type").AddColumn("default").AddColumn("allowed").AddColumn("help");
            foreach (var option in info.Options)
                table.AddRow(Markup.Escape(option.Name), option.Kind.ToString().ToLowerInvariant(), Markup.Escape(option.Default?.ToString() ?? "—"),
                    Markup.Escape(Allowed(option)), Markup.Escape(option.Help));
            AnsiConsole.Write(table);
        }
        if (catalog.Trainers.Count == 0) AnsiConsole.MarkupLine("[yellow]no trainer plugins were found[/]");
        foreach (var failure in catalog.Failures)
            AnsiConsole.MarkupLineInterpolated($"[red]failed:[/] {failure.Folder}: {failure.Reason}");
        return CommandRunner.Success;
    }

    static string Allowed(TrainerOption option) => option.Kind switch
    {
        TrainerOptionKind.Choice => string.Join(" | ", option.Choices),
        TrainerOptionKind.Integer or TrainerOptionKind.Number => option.Range,
        TrainerOptionKind.Boolean => "true | false",
        _ => "",
    };
}
