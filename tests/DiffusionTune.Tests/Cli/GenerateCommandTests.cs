using DiffusionTune.Cli;
using DiffusionTune.IO.Images;
using DiffusionTune.Tests.Pipelines;

namespace DiffusionTune.Tests.Cli;

public class GenerateCommandTests
{
    [Fact]
    public async Task Generate_writes_readable_pngs_with_a1111_parameters_and_a_rerun_makes_only_what_is_missing()
    {
        var model = RandomTinyModel.SaveDiffusers();
        var work = TestPaths.TempFolder();
        var output = Path.Combine(work, "out");
        string[] args = ["generate", "--model", model, "--prompt", "a cat", "--negative-prompt", "dog", "--steps", "3",
            "--width", "32", "--height", "48", "--sampler", "Euler a", "--device", "cpu"];

        Assert.Equal(0, await CliApplication.RunAsync([.. args, "--output", output, "--batch-size", "2", "--seed", "42"]));
        // A file that is no PNG is not an image already made, and does not stop the run.
        File.WriteAllText(Path.Combine(output, "broken.png"), "not a png");
        Assert.Equal(0, await CliApplication.RunAsync([.. args, "--output", output, "--batch-size", "2", "--seed", "42"]));
        Assert.Equal(new[] { "00000-42.png", "00001-43.png" }, Images(output));
        // A range reaching past the images made: only seed 44 is new; other settings never replace the images there.
        Assert.Equal(0, await CliApplication.RunAsync([.. args, "--output", output, "--batch-size", "2", "--seed-range", "42-44"]));
        Assert.Equal(0, await CliApplication.RunAsync([.. args, "--output", output, "--batch-size", "2", "--seed", "42", "--cfg", "5"]));
        Assert.Equal(new[] { "00000-42.png", "00001-43.png", "00002-44.png", "00003-42.png", "00004-43.png" }, Images(output));

        var manifests = Directory.GetFiles(output, "run-*.json").OrderBy(File.GetLastWriteTimeUtc).Select(Progress).ToList();
        Assert.Equal(4, manifests.Count);
        Assert.Equal((true, 2, 2, 0, 0), Figures(manifests[0]));
        Assert.True(manifests[0].GetProperty("images_per_second").GetDouble() > 0);
        Assert.Equal((true, 2, 0, 2, 0), Figures(manifests[1]));
        Assert.Equal((true, 3, 1, 2, 0), Figures(manifests[2]));

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

        // Same seed, same settings, another folder: the image is reproduced exactly.
        var again = Path.Combine(work, "again");
        Assert.Equal(0, await CliApplication.RunAsync([.. args, "--seed", "42", "--batch-size", "1", "--output", again]));
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "00000-42.png")), File.ReadAllBytes(Path.Combine(again, "00000-42.png")));
    }

    [Fact]
    public async Task Prompt_lines_get_their_own_seeds_unless_a_seed_list_gives_them_the_same()
    {
        var model = RandomTinyModel.SaveDiffusers();
        var work = TestPaths.TempFolder();
        var prompts = Path.Combine(work, "prompts.txt");
        File.WriteAllLines(prompts, ["a cat", "a dog"]);
        string[] args = ["generate", "--model", model, "--prompts", prompts, "--steps", "2", "--width", "32", "--height", "32", "--batch-size", "2", "--device", "cpu"];

        Assert.Equal(0, await CliApplication.RunAsync([.. args, "--seed", "10", "--output", Path.Combine(work, "running")]));
        Assert.Equal(0, await CliApplication.RunAsync([.. args, "--seeds", "3,5", "--output", Path.Combine(work, "listed")]));

        Assert.Equal(new[] { ("a cat", 10L), ("a cat", 11L), ("a dog", 12L), ("a dog", 13L) }, PromptsAndSeeds(Path.Combine(work, "running")));
        Assert.Equal(new[] { ("a cat", 3L), ("a cat", 5L), ("a dog", 3L), ("a dog", 5L) }, PromptsAndSeeds(Path.Combine(work, "listed")));

        // One seed per line and batches of 2: both prompts share one batch, and each image is the one it makes alone.
        Assert.Equal(0, await CliApplication.RunAsync([.. args, "--seeds", "3", "--output", Path.Combine(work, "mixed")]));
        Assert.Equal(new[] { ("a cat", 3L), ("a dog", 3L) }, PromptsAndSeeds(Path.Combine(work, "mixed")));
        Assert.Equal(Pixels(Path.Combine(work, "listed"), "a dog", 3), Pixels(Path.Combine(work, "mixed"), "a dog", 3));
        Assert.Equal(Pixels(Path.Combine(work, "listed"), "a cat", 3), Pixels(Path.Combine(work, "mixed"), "a cat", 3));
    }

    static string[] Images(string folder) => [.. Directory.GetFiles(folder, "0*.png").Select(p => Path.GetFileName(p)).Order()];

    static (string, long)[] PromptsAndSeeds(string folder) =>
        [.. Directory.GetFiles(folder, "*.png").Select(p => GenerationParameters.Parse(PngTextReader.Find(p, "parameters")!)).Select(p => (p.Prompt, p.Seed)).Order()];

    static byte[] Pixels(string folder, string prompt, long seed)
    {
        var image = Directory.GetFiles(folder, "*.png").Single(p => GenerationParameters.Parse(PngTextReader.Find(p, "parameters")!) is var made && made.Prompt == prompt && made.Seed == seed);
        using var bitmap = ImageLoader.LoadRgb(image);
        return bitmap.Bytes;
    }

    static System.Text.Json.JsonElement Progress(string manifest) =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifest)).RootElement.GetProperty("progress").Clone();

    static (bool Finished, int Planned, int Made, int Skipped, int Left) Figures(System.Text.Json.JsonElement progress) =>
        (progress.GetProperty("finished").GetBoolean(), progress.GetProperty("planned").GetInt32(), progress.GetProperty("made").GetInt32(),
            progress.GetProperty("skipped").GetInt32(), progress.GetProperty("left").GetInt32());

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
