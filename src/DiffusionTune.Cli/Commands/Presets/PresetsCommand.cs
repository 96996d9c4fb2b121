using DiffusionTune.Cli.Rendering;
using DiffusionTune.Workflows.Plugins;
using DiffusionTune.Workflows.Presets;
using DiffusionTune.Workflows.Settings;
using DiffusionTune.Workflows.Training;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.Presets;

/// <summary>Lists and shows presets.</summary>
public static class PresetsCommand
{
    public static int List(IReadOnlyList<string> extraFolders)
    {
        var library = PresetLibrary.Load(extraFolders);
        if (library.Entries.Count == 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]no presets found[/] (looked in {PresetLibrary.BuiltInFolder} and {PresetLibrary.UserFolder})");
            return CommandRunner.Success;
        }
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("preset").NoWrap()).AddColumn(new TableColumn("trainer").NoWrap())
            .AddColumn("made for").AddColumn("description").AddColumn("source");
        foreach (var entry in library.Entries)
        {
            string trainer, madeFor, description;
            try
            {
                var preset = PresetReader.Read(entry.Path);
                (trainer, madeFor, description) = (preset.Trainer ?? "—", ModelFamily.Summary(preset), preset.Description ?? "");
            }
            catch (TrainSettingsException e)
            {
                (trainer, madeFor, description) = ("?", "?", $"invalid: {e.Problems[0]}");
            }
            // Built-in presets sit next to the executable; the path matters only for the user's own files.
            var source = entry.Source == PresetLibrary.BuiltInSource ? entry.Source : $"{entry.Source}: {entry.Path}";
            if (entry.HiddenBy is not null) source += $" (hidden by {entry.HiddenBy})";
            table.AddRow(Markup.Escape(entry.Name), Markup.Escape(trainer), Markup.Escape(madeFor), Markup.Escape(description), Markup.Escape(source));
        }
        AnsiConsole.Write(table);
        // Plain text: the brackets are the usage syntax, not markup.
        AnsiConsole.WriteLine("Use one with: train --preset NAME --images DIR [any train option to override it]");
        AnsiConsole.WriteLine($"made for: the models the preset has settings for; {ModelFamily.ShapesWorld} (the embedded model) is what train uses without --model");
        return CommandRunner.Success;
    }

    /// <summary>
    /// Prints the preset file as written (its comments explain it) and checks it as <c>train --preset</c> does before
    /// any work: its settings, and its trainer and trainer options against the plugins installed.
    /// </summary>
    public static int Show(string nameOrPath, IReadOnlyList<string> presetFolders, IReadOnlyList<string> pluginFolders)
    {
        var path = PresetLibrary.Load(presetFolders).Locate(nameOrPath);
        var text = PresetReader.ReadText(path);
        AnsiConsole.MarkupLineInterpolated($"[bold]{path}[/]");
        Console.WriteLine(text.TrimEnd());
        var preset = PresetReader.Parse(path, text);
        if (preset.Trainer is null)
        {
            AnsiConsole.MarkupLineInterpolated($"{preset.Values.Count} setting(s), no trainer; run it with: train --preset {preset.Name} --trainer NAME --images DIR");
            return CommandRunner.Success;
        }
        // Checked as each run would be: with a model given, and on the embedded model with the shapes-world: settings.
        var plugins = PluginRoots.LoadWithWarnings(pluginFolders, ConsoleReporter.Lines);
        var problems = new[] { false, true }.SelectMany(onEmbeddedModel =>
        {
            var values = TrainSettingValues.Defaults();
            preset.ApplyTo(values, onEmbeddedModel);
            return TrainPreflight.TrainerProblems(values, plugins);
        }).Distinct().ToList();
        if (problems.Count > 0) throw new TrainSettingsException(problems);
        var madeFor = preset.MadeFor is { } family ? $", sized for {ModelFamily.Known[family]}" : "";
        AnsiConsole.MarkupLineInterpolated($"{preset.Values.Count} setting(s){madeFor}; run it with: train --preset {preset.Name} --images DIR");
        if (ModelFamily.EmbeddedSettingsLine(preset) is { } line) Console.WriteLine($"{line}.");
        return CommandRunner.Success;
    }
}
