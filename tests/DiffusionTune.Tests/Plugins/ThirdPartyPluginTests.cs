using DiffusionTune.Cli;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Tests.Data;
using DiffusionTune.Tests.Pipelines;

namespace DiffusionTune.Tests.Plugins;

/// <summary>The DoRA example, built on its own, dropped into a fresh plugin folder and run through the host.</summary>
public class ThirdPartyPluginTests
{
    [Fact]
    public async Task A_plugin_built_outside_the_host_trains_through_it_and_its_output_loads()
    {
        using var data = new DataFolder();
        var plugins = Path.Combine(data.Path, "my-plugins");
        var folder = Path.Combine(plugins, "DoraTrainer");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "test-plugins", "DoraTrainer")))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        for (int i = 0; i < 2; i++) data.Image($"subject/{i}.png", seed: i);
        var model = RandomTinyModel.SaveDiffusers();
        var output = Path.Combine(data.Path, "out");

        int code = await CliApplication.RunAsync(["train", "--trainer", "dora", "--plugins-folder", plugins, "--model", model,
            "--images", Path.Combine(data.Path, "subject"), "--instance-prompt", "a sks cat", "--resolution", "32",
            "--steps", "3", "--save-every", "3", "--learning-rate", "0.01", "--option", "rank=2", "--output", output, "--device", "cpu"]);

        Assert.Equal(0, code);
        var result = Path.Combine(output, "dora.safetensors");
        using (var file = SafetensorsFile.Open(result))
        {
            Assert.Contains(file.Names, n => n.EndsWith(".dora_scale", StringComparison.Ordinal));
            Assert.Equal("lycoris.kohya", file.Metadata["ss_network_module"]);
        }
        Assert.Equal(0, await CliApplication.RunAsync(["generate", "--model", model, "--lora", result, "--prompt", "a sks cat",
            "--steps", "2", "--width", "32", "--height", "32", "--seed", "1", "--output", Path.Combine(data.Path, "images"), "--device", "cpu"]));
    }
}
