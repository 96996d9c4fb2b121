using DiffusionTune.Cli;
using DiffusionTune.Cli.Commands.Presets;
using DiffusionTune.Workflows.Settings;

namespace DiffusionTune.Tests.Cli;

public class PresetsCommandTests
{
    /// <summary>
    /// Their text holds square brackets (<c>[any train option to override it]</c>, preset comments) that Spectre.Console
    /// would read as markup styles and throw on.
    /// </summary>
    [Fact]
    public async Task Presets_list_and_show_print_without_markup_errors()
    {
        Assert.Equal(0, await CliApplication.RunAsync(["presets", "list"]));
        Assert.Equal(0, await CliApplication.RunAsync(["presets", "show", "style-lora"]));
    }

    [Fact]
    public async Task Presets_show_refuses_an_unknown_trainer_or_trainer_option_as_train_does()
    {
        using var folder = new ScratchFolder();
        var unknownTrainer = folder.File("unknown-trainer.yaml");
        File.WriteAllText(unknownTrainer, "trainer: lorra\n");
        var unknownOption = folder.File("unknown-option.yaml");
        File.WriteAllText(unknownOption, "trainer: lora\noptions:\n  rnak: 4\n");
        var noTrainer = folder.File("no-trainer.yaml");
        File.WriteAllText(noTrainer, "steps: 3\n");

        Assert.Equal([$"{unknownTrainer}:1: trainer: no trainer named 'lorra' (did you mean 'lora'?); installed: dreambooth, hypernetwork, lora, textual-inversion"],
            Assert.Throws<TrainSettingsException>(() => PresetsCommand.Show(unknownTrainer, [], [])).Problems);
        Assert.StartsWith($"{unknownOption}:3: options: trainer 'lora' has no option 'rnak' (did you mean 'rank'?)",
            Assert.Single(Assert.Throws<TrainSettingsException>(() => PresetsCommand.Show(unknownOption, [], [])).Problems));
        Assert.Equal(1, await CliApplication.RunAsync(["presets", "show", unknownOption]));
        // Without a trainer there is nothing to check options against: the command line gives the trainer.
        Assert.Equal(0, await CliApplication.RunAsync(["presets", "show", noTrainer]));
    }
}
