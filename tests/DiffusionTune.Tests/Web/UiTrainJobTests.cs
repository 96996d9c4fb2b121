using System.Net;
using System.Text.Json;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Web.JobKinds;
using DiffusionTune.Web.Jobs;
using DiffusionTune.Web.Safety;
using DiffusionTune.Web.Training;
using DiffusionTune.Workflows.Training;
using Microsoft.Extensions.DependencyInjection;

namespace DiffusionTune.Tests.Web;

/// <summary>
/// Real train jobs through the queue: the quick-test preset on the shipped sample images, on the tests' tiny random
/// model (a root of its own) with a few steps, started from the Train page's form.
/// </summary>
public class UiTrainJobTests : IAsyncLifetime
{
    readonly ScratchFolder _scratch = new();
    UiTestServer _server = null!;
    string _model = null!;

    public Task InitializeAsync()
    {
        _model = RandomTinyModel.SaveDiffusers();
        var samples = Path.GetDirectoryName(QuickStart.SampleImages)!;
        _server = UiTestServer.Start(_scratch.Path, adjust: options => options with { Roots = [.. options.Roots, Path.GetDirectoryName(_model)!, samples] });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _scratch.Dispose();
    }

    [Fact]
    public async Task The_quick_test_preset_trains_from_the_page_and_shows_progress_curves_samples_grid_and_damage()
    {
        var id = await StartAsync(steps: 2);
        await _server.WaitForAsync(id, JobState.Finished, seconds: 120);

        var events = _server.Queue.Events(id).Read(0).Events;
        Assert.Contains(events, e => e is { Type: JobEventTypes.Progress, Done: 2, Total: 2 } && e.Memory > 0);
        Assert.Equal([("loss", 1), ("learning_rate", 1), ("loss", 2), ("learning_rate", 2)],
            events.Where(e => e.Type == JobEventTypes.Metric).Select(e => (e.Text!, e.Done!.Value)));
        Assert.Contains(events, e => e is { Type: JobEventTypes.Image, Text: "sample, step 2" });
        var result = TrainResultFile.Read(_server.Queue.FolderOf(id))!;
        Assert.True(File.Exists(result.BeforeAfterGrid));
        Assert.True(File.Exists(result.DamageReport));
        Assert.StartsWith(TrainJobKind.OutputFolderOf(_server.Queue.FolderOf(id)), result.Result, StringComparison.Ordinal);

        var page = await _server.Client.GetStringAsync($"/jobs/{id}");
        Assert.Contains("data-testid=\"before-after-grid\"", page);
        Assert.Contains("data-testid=\"damage-verdict\">The fine-tune", page);
        Assert.Contains("data-testid=\"damage-blocks\"", page);
        Assert.Contains("data-testid=\"damage-timesteps\"", page);
        using var grid = await _server.Client.GetAsync($"/jobs/{id}/train/grid");
        Assert.Equal("image/png", grid.Content.Headers.ContentType?.MediaType);
        // The finished run is the preset's timing on this machine, on its card.
        Assert.Matches("data-testid=\"preset-timing-quick-test\">last run \\d+:\\d\\d:\\d\\d for 2 steps on cpu, peak memory", await _server.Client.GetStringAsync("/train"));
    }

    [Fact]
    public async Task A_cancelled_train_job_saves_and_its_resume_carries_on_from_the_saved_step()
    {
        var id = await StartAsync(steps: 5, yaml: "damage_report: off\n");
        var log = _server.Queue.Events(id);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!log.Read(0).Events.Any(e => e.Type == JobEventTypes.Metric) && DateTime.UtcNow < deadline) await Task.Delay(20);
        using (var cancel = await _server.PostAsync($"/jobs/{id}/cancel")) Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        await _server.WaitForAsync(id, JobState.Cancelled, seconds: 60);
        int saved = log.Read(0).Events.Where(e => e.Type == JobEventTypes.Metric).Max(e => e.Done!.Value);
        Assert.InRange(saved, 1, 4);
        Assert.Null(TrainResultFile.Read(_server.Queue.FolderOf(id)));

        using (var resume = await _server.PostAsync($"/jobs/{id}/resume")) Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        await _server.WaitForAsync(id, JobState.Finished, seconds: 120);

        var events = log.Read(0).Events;
        var resumedAt = events.Last(e => e is { Type: JobEventTypes.State, State: JobState.Running }).Id;
        var resumed = events.Where(e => e.Id > resumedAt).ToList();
        Assert.Equal(saved, resumed.First(e => e.Type == JobEventTypes.Start).Done);
        Assert.Equal(saved + 1, resumed.First(e => e.Type == JobEventTypes.Metric).Done);
        Assert.Equal(5, resumed.Last(e => e.Type == JobEventTypes.Metric).Done);
        Assert.NotNull(TrainResultFile.Read(_server.Queue.FolderOf(id))?.BeforeAfterGrid);
    }

    /// <summary>Starts a quick-test run of <paramref name="steps"/> steps as the Train page's Start button does; returns the job's id.</summary>
    async Task<string> StartAsync(int steps, string yaml = "")
    {
        var roots = _server.App.Services.GetRequiredService<RootedPaths>().Roots;
        var modelRoot = roots.Single(r => r.FullPath == Path.GetDirectoryName(Path.GetFullPath(_model)));
        var samplesRoot = roots.Single(r => r.FullPath == Path.GetDirectoryName(QuickStart.SampleImages));
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["preset"] = QuickStart.PresetName,
            ["images_root"] = samplesRoot.Name,
            ["images_path"] = Path.GetFileName(QuickStart.SampleImages),
            ["yaml"] = $"model: {modelRoot.Name}/{Path.GetFileName(_model)}\nsteps: {steps}\nwarmup_steps: 0\nsample_steps: 2\n{yaml}",
        });
        var request = _server.SameOrigin(HttpMethod.Post, "/train/start", form);
        request.Headers.Add("HX-Request", "true");
        using var response = await _server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var job = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = job.RootElement.GetProperty("id").GetString()!;
        Assert.Equal($"/jobs/{id}", response.Headers.GetValues("HX-Redirect").Single());
        return id;
    }
}
