using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Pipelines;

public class ModelRoundTripTests
{
    [Fact]
    public void Diffusers_folder_and_single_file_round_trip_bit_identically()
    {
        using var original = RandomTinyModel.Create(seed: 3);
        var folder = Path.Combine(TestPaths.TempFolder(), "model");
        var single = Path.Combine(TestPaths.TempFolder(), "model.safetensors");
        original.SaveDiffusers(folder);
        original.SaveSingleFile(single);

        using var fromFolder = StableDiffusionModel.Load(folder);
        using var fromFile = StableDiffusionModel.Load(single);
        foreach (var loaded in new[] { fromFolder, fromFile })
        {
            AssertIdentical(original.Unet, loaded.Unet);
            AssertIdentical(original.Vae, loaded.Vae);
            AssertIdentical(original.TextEncoder, loaded.TextEncoder);
            Assert.Equal(original.Tokenizer.VocabularySize, loaded.Tokenizer.VocabularySize);
            Assert.Equal(original.Schedule.AlphasCumprod, loaded.Schedule.AlphasCumprod);
            Assert.Equal(original.Unet.Config.BlockOutChannels, loaded.Unet.Config.BlockOutChannels);
        }

        // Converting the single file back to a folder gives the same tensors again.
        var again = Path.Combine(TestPaths.TempFolder(), "again");
        fromFile.SaveDiffusers(again);
        using var reloaded = StableDiffusionModel.Load(again);
        AssertIdentical(original.Unet, reloaded.Unet);
    }

    [Fact]
    public void Pickle_checkpoints_are_refused_with_a_reason()
    {
        var path = Path.Combine(TestPaths.TempFolder(), "model.ckpt");
        File.WriteAllBytes(path, [0x80, 0x02]);
        var error = Assert.Throws<ModelFileException>(() => StableDiffusionModel.Load(path));
        Assert.Contains("model.ckpt", error.Message);
        Assert.Contains("arbitrary code", error.Message);
    }

    [Fact]
    public void A_folder_without_model_index_is_refused_by_name()
    {
        var folder = TestPaths.TempFolder();
        var error = Assert.Throws<ModelFileException>(() => StableDiffusionModel.Load(folder));
        Assert.Contains("model_index.json", error.Message);
    }

    static void AssertIdentical(nn.Module expected, nn.Module actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        Assert.Equal(a.Keys, b.Keys);
        foreach (var (name, tensor) in a)
            Assert.True(TensorAssert.Identical(tensor, b[name]), $"{name} differs after the round trip");
    }
}
