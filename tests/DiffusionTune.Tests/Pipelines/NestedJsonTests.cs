using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;
using DiffusionTune.IO.Safetensors;

namespace DiffusionTune.Tests.Pipelines;

/// <summary>
/// JSON nested thousands deep in a model's configs is refused in one line naming the file (System.Text.Json stops at
/// depth 64 rather than recursing on), wherever the config comes from: a diffusers folder or a single file's metadata.
/// </summary>
public class NestedJsonTests
{
    static readonly string DeepJson = "{\"deep\": " + new string('[', 50_000) + new string(']', 50_000) + "}";

    [Fact]
    public void A_deeply_nested_config_json_names_its_file()
    {
        var folder = RandomTinyModel.SaveDiffusers();
        var config = Path.Combine(folder, "unet", "config.json");
        File.WriteAllText(config, DeepJson);

        var error = Assert.Throws<ModelFileException>(() => StableDiffusionModel.Load(folder));

        Assert.Equal(config, error.FilePath);
        Assert.Contains("maximum configured depth of 64", error.Message);
    }

    [Fact]
    public void A_deeply_nested_scheduler_config_in_a_single_file_names_the_file_and_the_metadata_key()
    {
        using var scratch = new ScratchFolder();
        var path = scratch.File("tiny.safetensors");
        using (var model = RandomTinyModel.Create()) model.SaveSingleFile(path);
        Dictionary<string, TorchSharp.torch.Tensor> tensors;
        Dictionary<string, string> metadata;
        using (var file = SafetensorsFile.Open(path)) (tensors, metadata) = (file.LoadAll(), new Dictionary<string, string>(file.Metadata));
        metadata[ModelMetadata.SchedulerConfig] = DeepJson;
        SafetensorsWriter.Save(path, tensors, metadata);

        var error = Assert.Throws<ModelFileException>(() => StableDiffusionModel.Load(path));

        Assert.StartsWith($"{path}: {ModelMetadata.SchedulerConfig} metadata is not a usable scheduler config: ", error.Message);
        Assert.Contains("maximum configured depth of 64", error.Message);
    }
}
