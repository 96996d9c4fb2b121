using System.Text.Json;
using DiffusionTune.Cli;
using DiffusionTune.IO.Images;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Workflows.Comparison;

namespace DiffusionTune.Tests.Grids;

/// <summary><c>compare --x AXIS:… --y AXIS:…</c>: grids over CFG, steps, sampler, seed and prompt.</summary>
public class ComparisonSettingAxesTests
{
    [Fact]
    public async Task Cfg_columns_against_step_rows_make_each_cell_with_its_own_settings_and_resume()
    {
        using var folder = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers();
        var output = folder.File("compare");
        string[] args = ["compare", "--model", model, "--prompt", "a cat", "--x", "cfg:1,7", "--y", "steps:1,2", "--seed", "5", "--output", output, "--device", "cpu"];

        Assert.Equal(0, await CliApplication.RunAsync(args));
        var firstRun = Directory.GetFiles(output, "r*.png").ToDictionary(p => p, File.GetLastWriteTimeUtc);
        Assert.Equal(0, await CliApplication.RunAsync(args));

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, ComparisonRun.ManifestFileName)));
        var root = manifest.RootElement;
        Assert.Equal(["cfg 1", "cfg 7"], root.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("label").GetString()));
        Assert.Equal(["a cat · steps 1", "a cat · steps 2"], root.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("label").GetString()));
        Assert.All(root.GetProperty("cells").EnumerateArray(), cell => Assert.Equal("existing", cell.GetProperty("status").GetString()));
        Assert.Equal(firstRun, Directory.GetFiles(output, "r*.png").ToDictionary(p => p, File.GetLastWriteTimeUtc));
        for (int row = 0; row < 2; row++)
        {
            for (int column = 0; column < 2; column++)
            {
                var made = GenerationParameters.Parse(PngTextReader.Find(Path.Combine(output, ComparisonRun.CellFileName(row, column, 5)), "parameters")!);
                Assert.Equal((row + 1, column == 0 ? 1.0 : 7.0, "a cat"), (made.Steps, made.CfgScale, made.Prompt));
            }
        }
    }

    [Fact]
    public async Task Prompt_columns_against_seed_rows_need_no_prompt_option()
    {
        using var folder = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers();
        var output = folder.File("compare");

        Assert.Equal(0, await CliApplication.RunAsync(["compare", "--model", model, "--x", "prompt:a cat, red|a dog", "--y", "seed:3,4",
            "--steps", "1", "--output", output, "--device", "cpu"]));

        var made = GenerationParameters.Parse(PngTextReader.Find(Path.Combine(output, ComparisonRun.CellFileName(1, 0, 4)), "parameters")!);
        Assert.Equal(("a cat, red", 4L), (made.Prompt, made.Seed));
        Assert.True(File.Exists(Path.Combine(output, ComparisonRun.CellFileName(0, 1, 3))));
    }

    [Theory]
    [InlineData("speed:1,2", "'speed' is not an axis")]
    [InlineData("3:1,2", "'3' is not an axis")]
    [InlineData("cfg", "no values")]
    [InlineData("cfg:1,x", "'x' is not a CFG scale")]
    [InlineData("steps:0", "'0' is not a step count")]
    [InlineData("sampler:euler,warp", "'warp' is not a sampler")]
    [InlineData("seed:-1", "'-1' is not a seed")]
    [InlineData("seed:1,1", "'1' is given twice")]
    [InlineData("prompt:a||b", "'' is an empty prompt")]
    public void Malformed_axes_are_one_line_errors(string text, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => ComparisonSetting.ParseAxis("--x", text));
        Assert.Contains(problem, error.Message);
        Assert.StartsWith("--x " + text, error.Message);
    }

    [Fact]
    public async Task The_same_axis_twice_is_refused()
    {
        Assert.Equal(1, await CliApplication.RunAsync(["compare", "--prompt", "a cat", "--x", "cfg:1,2", "--y", "cfg:3", "--output", TestPaths.TempFolder(), "--device", "cpu"]));
    }
}
