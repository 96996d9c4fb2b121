using System.CommandLine;
using DiffusionTune.Workflows.Settings;
using DiffusionTune.Workflows.Training;

namespace DiffusionTune.Cli.Commands.Train;

/// <summary>
/// The <c>train</c> verb: runs a trainer plugin on a folder of images. Its options come from <see cref="TrainSettings"/>;
/// with <c>--preset</c> the preset's values apply first and every option given on the command line overrides them.
/// With neither a preset, a trainer nor images it runs the quick start (<see cref="QuickStart"/>).
/// </summary>
public static class TrainCommandDefinition
{
    public static Command Create()
    {
        var preset = new Option<string?>("--preset") { Description = "A preset (see `presets list`) or a preset .yaml file; options given here override it" };
        var presetFolders = CommonOptions.PresetsFolder();
        var pluginFolders = CommonOptions.PluginsFolder();
        var settings = TrainSettings.All.Select(setting => (Setting: setting, Option: TrainSettingOption.For(setting))).ToList();

        var command = new Command("train",
            "Fine-tune a model with a trainer plugin (stop with Ctrl+C: it saves; run the same command again to resume). " +
            "Without --preset, --trainer or --images: trains the quick-test preset on the shipped sample images and shows a before/after grid")
        {
            preset, presetFolders,
        };
        foreach (var (_, option) in settings) command.Options.Add(option.Option);
        command.Options.Add(pluginFolders);

        command.SetAction((result, cancellation) => CommandRunner.RunAsync(token =>
        {
            var given = new List<(TrainSetting, SettingValue)>();
            var problems = new List<string>();
            foreach (var (setting, option) in settings)
            {
                // Only options the user typed override a preset; an option at its default leaves the preset's value.
                if (result.GetResult(option.Option) is not { Implicit: false } optionResult) continue;
                var origin = new SettingOrigin(optionResult.IdentifierToken?.Value ?? setting.OptionName);
                try
                {
                    given.Add((setting, new SettingValue(option.Read(optionResult, origin), origin)));
                }
                catch (SettingValueException e)
                {
                    problems.Add(origin.Describe(e.Message));
                }
            }
            if (problems.Count > 0) throw new TrainSettingsException(problems);
            var request = new TrainRequest(result.GetValue(preset), result.GetValue(presetFolders)!, result.GetValue(pluginFolders)!, given);
            return Task.FromResult(TrainCommand.Run(request, token));
        }, cancellation));
        return command;
    }
}
