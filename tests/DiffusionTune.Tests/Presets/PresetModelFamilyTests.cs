using DiffusionTune.Workflows.Presets;
using DiffusionTune.Workflows.Settings;
using DiffusionTune.Workflows.Training;

namespace DiffusionTune.Tests.Presets;

/// <summary>A preset says which model its settings are sized for, and a preset sized for SD 1.5 without settings for the embedded model warns there.</summary>
public class PresetModelFamilyTests
{
    [Fact]
    public void Every_shipped_preset_says_what_it_is_made_for()
    {
        foreach (var name in ShippedPresets.Names)
            Assert.Equal(name == QuickStart.PresetName ? ModelFamily.ShapesWorld : "sd1.5", PresetReader.Read(ShippedPresets.Path(name)).MadeFor);
    }

    [Fact]
    public void An_unknown_family_is_reported_with_its_line()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("mine.yaml");
        File.WriteAllText(path, "trainer: lora\nmade_for: sd3\n");

        var problems = Assert.Throws<TrainSettingsException>(() => PresetReader.Read(path)).Problems;

        Assert.Equal($"{path}:2: made_for: must be one of shapes-world, sd1.5, sd2, sdxl, not 'sd3'", Assert.Single(problems));
    }

    [Fact]
    public void A_preset_sized_for_another_model_without_settings_for_the_embedded_one_warns_only_on_the_embedded_model()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("style-lora.yaml");
        File.WriteAllText(path, "made_for: sd1.5\ntrainer: lora\nsteps: 2000\n");
        var styleLora = PresetReader.Read(path);

        Assert.Equal("preset style-lora is sized for Stable Diffusion 1.5 (512×512); on the embedded shapes-world model its steps and learning rate may learn little "
            + "in a time a CPU can give (quick-test is sized for it; give --model to train the model it is made for)", ModelFamily.EmbeddedModelWarning(styleLora, modelGiven: false));
        Assert.Null(ModelFamily.EmbeddedModelWarning(styleLora, modelGiven: true));
        Assert.Null(ModelFamily.EmbeddedModelWarning(PresetReader.Read(ShippedPresets.Path(QuickStart.PresetName)), modelGiven: false));
    }
}
