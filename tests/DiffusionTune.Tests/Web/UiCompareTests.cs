using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using DiffusionTune.IO.Images;
using DiffusionTune.Web.JobKinds;
using DiffusionTune.Web.Jobs;

namespace DiffusionTune.Tests.Web;

/// <summary>
/// The compare job through the server: bad settings are refused with the CLI's messages, the grid a training run's
/// folder makes, and a real 2×2 comparison on the embedded model (tiny settings) reporting its cells, then the grid.
/// </summary>
public sealed partial class UiCompareTests : UiServerTest
{
    const string Prompt = "a red star on a plain white background";

    [Theory]
    [InlineData("""{"prompts": [], "steps": 2}""", "nothing to compare: give --prompt TEXT")]
    [InlineData("""{"prompts": ["a"], "x": "cfg:a"}""", "--x cfg:a: 'a' is not a CFG scale")]
    [InlineData("""{"prompts": ["a"], "x": "size:1"}""", "'size' is not an axis")]
    [InlineData("""{"prompts": ["a"], "x": "cfg:1,2", "y": "cfg:3"}""", "--x and --y are both cfg")]
    [InlineData("""{"prompts": ["a"], "steps": 1001}""", "steps must be between 1 and 1000 (got 1001)")]
    [InlineData("""{"prompts": ["a"], "strengths": []}""", "strengths: give one or more numbers")]
    public async Task A_compare_job_with_bad_settings_is_refused_with_the_CLI_s_message(string settings, string message)
    {
        using var response = await Server.PostJsonAsync("/api/jobs", new { kind = CompareJobKind.Name, settings = JsonDocument.Parse(settings).RootElement });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
        using var plan = await Server.PostJsonAsync("/api/compare/plan", JsonDocument.Parse(settings).RootElement);
        Assert.Equal(HttpStatusCode.BadRequest, plan.StatusCode);
        Assert.Empty(Server.Queue.Jobs);
    }

    [Fact]
    public async Task A_training_run_s_folder_gives_a_column_per_checkpoint_by_step_and_strength()
    {
        LibraryFiles.Fill(Server.Root);
        using var response = await Server.PostJsonAsync("/api/compare/plan", new
        {
            prompts = new[] { "a sks star", " ", "a sks circle" },
            loras = new[] { new { root = "files", path = "run" } },
            strengths = new[] { 0.5, 1 },
            include_base = true,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var plan = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["base", "step 10 0.5", "step 10", "lora 0.5", "lora"], plan.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["a sks star", "a sks circle"], plan.GetProperty("rows").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task A_2x2_comparison_reports_four_cells_by_row_and_column_then_the_grid()
    {
        var settings = new { prompts = new[] { Prompt }, steps = 2, sampler = "euler", width = 64, height = 64, x = "cfg:1,3", y = "seed:1,2" };
        var plan = JsonDocument.Parse(await (await Server.PostJsonAsync("/api/compare/plan", settings)).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["cfg 1", "cfg 3"], plan.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(2, plan.GetProperty("rows").GetArrayLength());

        using var queued = await Server.PostJsonAsync("/api/jobs", new { kind = CompareJobKind.Name, settings });
        Assert.Equal(HttpStatusCode.Created, queued.StatusCode);
        var id = JsonDocument.Parse(await queued.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var job = await Server.WaitUntilAtRestAsync(id);
        Assert.True(job.State == JobState.Finished, job.Error);

        var images = Server.Queue.Events(id).Read(0).Events.Where(e => e.Type == JobEventTypes.Image).Select(e => Path.GetFileName(e.Path!)).ToList();
        var cells = images.Where(f => CellFile().IsMatch(f)).Select(f => CellFile().Match(f)).Select(m => (Row: int.Parse(m.Groups[1].Value), Column: int.Parse(m.Groups[2].Value))).Order().ToList();
        Assert.Equal([(0, 0), (0, 1), (1, 0), (1, 1)], cells);
        Assert.Equal("grid.png", images[^1]);
        var folder = Path.Combine(Server.State, "jobs", id, CompareJobKind.GridFolder);
        Assert.True(File.Exists(Path.Combine(folder, "grid.png")));
        Assert.True(File.Exists(Path.Combine(folder, "comparison.json")));
        Assert.Equal(1, GenerationParameters.Parse(PngTextReader.Find(Path.Combine(folder, "r000-c000-s1.png"), "parameters")!).CfgScale);
        Assert.Equal(2, GenerationParameters.Parse(PngTextReader.Find(Path.Combine(folder, "r001-c001-s2.png"), "parameters")!).Seed);

        // A page opened on the job (its address once Start queued it) lays out that job's grid again.
        var followed = await Server.Client.GetStringAsync($"/compare?follow={id}");
        Assert.Contains($"data-follow-job=\"{id}\"", followed);
        Assert.Contains("cfg:1,3", followed);
    }

    [GeneratedRegex(@"^r(\d{3})-c(\d{3})-s\d+\.png$")]
    private static partial Regex CellFile();
}
