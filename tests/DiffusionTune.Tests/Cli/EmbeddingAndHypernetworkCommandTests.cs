using DiffusionTune.Cli;
using DiffusionTune.IO.Images;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Tests.Adapters;
using DiffusionTune.Tests.Formats;
using DiffusionTune.Tests.Pipelines;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Cli;

/// <summary><c>generate --embeddings DIR</c> and <c>generate --hypernetwork FILE:STRENGTH</c> end to end.</summary>
public class EmbeddingAndHypernetworkCommandTests
{
    static readonly string[] Sampling = ["--prompt", "a sks cat", "--steps", "2", "--seed", "7", "--width", "32", "--height", "32", "--device", "cpu"];

    static byte[] Pixels(string path)
    {
        using var bitmap = ImageLoader.LoadRgb(path);
        return bitmap.Bytes.ToArray();
    }

    static GenerationParameters Parameters(string image) => GenerationParameters.Parse(PngTextReader.Find(image, "parameters")!);

    [Fact]
    public async Task Generate_uses_the_embeddings_folder_and_the_hypernetwork_and_records_them_as_A1111_does()
    {
        var model = RandomTinyModel.SaveDiffusers(seed: 5);
        var work = TestPaths.TempFolder();
        var embeddings = Path.Combine(work, "embeddings");
        Directory.CreateDirectory(embeddings);
        using (var vectors = randn(2, 32) * 3) SafetensorsWriter.Save(Path.Combine(embeddings, "sks.safetensors"), [new("string_to_param.*", vectors)]);
        var hypernetwork = Path.Combine(work, "painterly.safetensors");
        HypernetworkTestData.Write(hypernetwork, HypernetworkTestData.Tensors(0.5, seed: 3, 32, 64)).Dispose();
        string Image(string folder) => Path.Combine(work, folder, "00000-7.png");

        Assert.Equal(0, await CliApplication.RunAsync(["generate", "--model", model, "--output", Path.Combine(work, "plain"), .. Sampling]));
        Assert.Equal(0, await CliApplication.RunAsync(["generate", "--model", model, "--embeddings", embeddings, "--output", Path.Combine(work, "ti"), .. Sampling]));
        Assert.Equal(0, await CliApplication.RunAsync(["generate", "--model", model, "--hypernetwork", hypernetwork + ":0.5", "--output", Path.Combine(work, "hn"), .. Sampling]));

        Assert.NotEqual(Pixels(Image("plain")), Pixels(Image("ti")));
        Assert.NotEqual(Pixels(Image("plain")), Pixels(Image("hn")));
        Assert.DoesNotContain(Parameters(Image("plain")).Extra, e => e.Key is "TI hashes" or "Hypernet");
        Assert.Matches("^sks: [0-9a-f]{12}$", Parameters(Image("ti")).Extra.Single(e => e.Key == "TI hashes").Value);
        var extra = Parameters(Image("hn")).Extra.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal(("painterly", "0.5"), (extra["Hypernet"], extra["Hypernet strength"]));
        Assert.Matches("^[0-9a-f]{10}$", extra["Hypernet hash"]);
    }

    [Fact]
    public async Task Bad_hypernetwork_arguments_and_hostile_files_are_one_line_errors()
    {
        var model = RandomTinyModel.SaveDiffusers(seed: 5);
        var work = TestPaths.TempFolder();
        var evil = Path.Combine(work, "evil.pt");
        TorchSaveWriter.WriteArchive(evil, new PickleWriter().Protocol().Global("os", "system").Str("echo hi").Tuple(1).Reduce().Stop().ToArray(), []);
        var output = Path.Combine(work, "out");

        Assert.Equal(1, await CliApplication.RunAsync(["generate", "--model", model, "--hypernetwork", evil, "--output", output, .. Sampling]));
        Assert.Equal(1, await CliApplication.RunAsync(["generate", "--model", model, "--hypernetwork", evil + ".missing:0.5", "--output", output, .. Sampling]));
        Assert.Equal(1, await CliApplication.RunAsync(["generate", "--model", model, "--embeddings", Path.Combine(work, "nowhere"), "--output", output, .. Sampling]));
        Assert.False(Path.Exists(output));
    }
}
