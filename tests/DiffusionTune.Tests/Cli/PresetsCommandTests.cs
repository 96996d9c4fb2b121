using DiffusionTune.Cli;

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
}
