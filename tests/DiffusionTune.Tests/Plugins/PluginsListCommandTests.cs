using System.Text.RegularExpressions;
using DiffusionTune.Tests.Cli;
using DiffusionTune.Training.Plugins;

namespace DiffusionTune.Tests.Plugins;

/// <summary>
/// <c>plugins list</c> as a shell with redirected output sees it: the table fits 80 columns, and a warning comes whole
/// on one line (however long the path it names).
/// </summary>
public class PluginsListCommandTests
{
    [Fact]
    public void At_80_columns_every_option_name_stays_whole_on_its_line_and_a_missing_folder_is_warned_about()
    {
        using var scratch = new ScratchFolder();
        var optionNames = PluginCatalog.Load([Path.Combine(AppContext.BaseDirectory, "plugins")]).Trainers
            .SelectMany(t => t.Info.Options).Select(o => o.Name).Distinct().ToList();

        var result = CliProcess.Run(["plugins", "list", "--plugins-folder", "missing"], scratch.Path, TimeSpan.FromMinutes(5));

        Assert.False(result.Failed, result.Tail(20));
        var warning = $"warning: plugins folder {scratch.File("missing")} does not exist; expected a folder holding one folder per plugin";
        Assert.Contains(result.Lines, line => line.StartsWith(warning, StringComparison.Ordinal));
        Assert.All(result.Lines.Where(line => !line.StartsWith("warning:", StringComparison.Ordinal)),
            line => Assert.True(line.Length <= 80, $"wider than 80 columns: {line}"));
        Assert.NotEmpty(optionNames);
        // Each name opens a table row (after the border), whole.
        Assert.All(optionNames, name => Assert.Contains(result.Lines, line => Regex.IsMatch(line, $@"^\W*{Regex.Escape(name)}\s")));
    }
}
