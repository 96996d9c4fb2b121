using DiffusionTune.Cli;
using DiffusionTune.IO.Images;
using DiffusionTune.Tests.Pipelines;

namespace DiffusionTune.Tests.Cli;

public class GenerateCommandTests
{
    [Fact]
    public async Task Generate_writes_readable_pngs_with_a1111_parameters_and_never_overwrites()
    {
        var model = RandomTinyModel.SaveDiffusers();
        var output = Path.Combine(TestPaths.TempFolder(), "out");
        string[] args = ["generate", "--model", model, "--prompt", "a cat", "--negative-prompt", "dog", "--steps", "3",
            "--seed", "42", "--batch-size", "2", "--width", "32", "--height", "48", "--sampler", "Euler a", "--output", output, "--device", "cpu"];

        Assert.Equal(0, await CliApplication.RunAsync(args));
        Assert.Equal(0, await CliApplication.RunAsync(args));

        var images = Directory.GetFiles(output, "*.png").Select(p => Path.GetFileName(p)).Order().ToArray();
        Assert.Equal(new[] { "00000-42.png", "00001-43.png", "00002-42.png", "00003-43.png" }, images);
        Assert.Equal(2, Directory.GetFiles(output, "run-*.json").Length);

        using var bitmap = ImageLoader.LoadRgb(Path.Combine(output, "00001-43.png"));
        Assert.Equal((32, 48), (bitmap.Width, bitmap.Height));
        var parameters = GenerationParameters.Parse(PngTextReader.Find(Path.Combine(output, "00001-43.png"), "parameters")!);
        Assert.Equal("a cat", parameters.Prompt);
        Assert.Equal("dog", parameters.NegativePrompt);
        Assert.Equal(43, parameters.Seed);
        Assert.Equal(3, parameters.Steps);
        Assert.Equal("Euler a", parameters.Sampler);
        Assert.Equal("random-tiny", parameters.ModelName);
        Assert.Equal(10, parameters.ModelHash!.Length);

        // Same seed, same settings: the second run reproduced the first run's images exactly.
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "00000-42.png")), File.ReadAllBytes(Path.Combine(output, "00002-42.png")));
    }

    [Fact]
    public async Task A_missing_model_is_a_one_line_error_not_a_crash()
    {
        var missing = Path.Combine(TestPaths.TempFolder(), "nope");
        Assert.Equal(1, await CliApplication.RunAsync(["generate", "--model", missing, "--prompt", "x", "--device", "cpu"]));
    }

    [Fact]
    public async Task Asking_for_cuda_without_it_is_a_clear_error()
    {
        var model = RandomTinyModel.SaveDiffusers();
        Assert.Equal(1, await CliApplication.RunAsync(["generate", "--model", model, "--prompt", "x", "--device", "cuda:0"]));
    }
}
