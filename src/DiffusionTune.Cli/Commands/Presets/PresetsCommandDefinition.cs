using System.CommandLine;

namespace DiffusionTune.Cli.Commands.Presets;

/// <summary>The <c>presets</c> verb: <c>list</c> the training presets found, <c>show</c> one of them.</summary>
public static class PresetsCommandDefinition
{
    public static Command Create()
    {
        var listFolders = CommonOptions.PresetsFolder();
        var list = new Command("list", "List the training presets: built-in, the user's, and --presets-folder ones") { listFolders };
        list.SetAction(result => CommandRunner.Run(() => PresetsCommand.List(result.GetValue(listFolders)!)));

        var name = new Argument<string>("NAME") { Description = "A preset name (see `presets list`) or a preset .yaml file" };
        var showFolders = CommonOptions.PresetsFolder();
        var pluginFolders = CommonOptions.PluginsFolder();
        var show = new Command("show", "Print a preset with its comments, and check it as train --preset does (trainer and options included)") { name, showFolders, pluginFolders };
        show.SetAction(result => CommandRunner.Run(() => PresetsCommand.Show(result.GetValue(name)!, result.GetValue(showFolders)!, result.GetValue(pluginFolders)!)));

        return new Command("presets", "Training presets (use one with train --preset NAME --images DIR)") { list, show };
    }
}
