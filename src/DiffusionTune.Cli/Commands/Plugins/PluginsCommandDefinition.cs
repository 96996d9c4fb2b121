using System.CommandLine;

namespace DiffusionTune.Cli.Commands.Plugins;

/// <summary>The <c>plugins</c> verb and its <c>list</c> sub-verb.</summary>
public static class PluginsCommandDefinition
{
    public static Command Create()
    {
        var folders = CommonOptions.PluginsFolder();
        var list = new Command("list", "List trainer plugins with their versions and options, and plugins that failed to load") { folders };
        list.SetAction(result => CommandRunner.Run(() => PluginsListCommand.Run(result.GetValue(folders)!)));
        return new Command("plugins", "Trainer plugins") { list };
    }
}
