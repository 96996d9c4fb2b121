using System.Text.Json;
using DiffusionTune.Models.Clip;
using DiffusionTune.Models.Configuration;
using DiffusionTune.Models.Loading;
using DiffusionTune.Models.Unet;
using DiffusionTune.Models.Vae;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Models;

/// <summary>
/// Builds full-size models on the meta device (no memory, no weights) and checks every parameter name, shape and the
/// state-dict order against the reference manifests (diffusers/transformers names), plus the parameter totals.
/// </summary>
public class ManifestTests
{
    [Theory]
    [InlineData("sd15", "unet", 859_520_964L)]
    [InlineData("sd15", "vae", 83_653_863L)]
    [InlineData("sd15", "text_encoder", 123_060_480L)]
    [InlineData("tiny", "unet", 985_444L)]
    [InlineData("tiny", "vae", 658_375L)]
    [InlineData("tiny", "text_encoder", 68_473L)]
    public void Parameters_match_the_reference_manifest(string preset, string component, long expectedTotal)
    {
        using var model = Build(preset, component);
        var expected = File.ReadLines(TestPaths.Data("manifest", $"{preset}_{component}.tsv"))
            .Select(line => line.Split('\t'))
            .Where(fields => !fields[3].StartsWith("BUFFER", StringComparison.Ordinal))
            .Select(fields => $"{fields[0]} [{fields[1]}]")
            .ToList();
        var actual = model.state_dict().Select(kv => $"{kv.Key} [{string.Join(",", kv.Value.shape)}]").ToList();

        Assert.Equal(expected, actual);
        Assert.All(model.parameters(), p => Assert.Equal(DeviceType.META, p.device_type));
        Assert.Equal(expectedTotal, model.parameters().Sum(p => p.numel()));
    }

    static nn.Module Build(string preset, string component)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(TestPaths.Data("manifest", $"{preset}_config.json")));
        var json = document.RootElement.GetProperty(component).GetRawText();
        return MetaDevice.Build<nn.Module>(() => component switch
        {
            "unet" => new UNet2DConditionModel(ModelConfigFile.Parse<UNet2DConditionModelConfig>(json, component)),
            "vae" => new AutoencoderKL(ModelConfigFile.Parse<AutoencoderKLConfig>(json, component)),
            _ => new ClipTextModel(ModelConfigFile.Parse<ClipTextConfig>(json, component)),
        });
    }
}
