using System.Net;
using System.Text;
using System.Text.Json;
using DiffusionTune.Web.Jobs;

namespace DiffusionTune.Tests.Web;

/// <summary>The job queue through the server: running, events by SSE (replay and Last-Event-ID), cancel, resume, restarts.</summary>
public sealed class UiJobTests : IDisposable
{
    readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    /// <summary>The events of a job's SSE stream, read to its end (the job must be at rest), as (id, type, data) triples.</summary>
    static async Task<List<(long Id, string Type, JsonElement Data)>> ReadStream(HttpClient client, string id, long? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/jobs/{id}/events");
        if (lastEventId is { } last) request.Headers.Add("Last-Event-ID", last.ToString());
        using var response = await client.SendAsync(request);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var events = new List<(long, string, JsonElement)>();
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            if (!lines[0].StartsWith("id: ")) continue;
            events.Add((long.Parse(lines[0][4..]), lines[1]["event: ".Length..], JsonDocument.Parse(lines[2]["data: ".Length..]).RootElement.Clone()));
        }
        return events;
    }

    [Fact]
    public async Task A_job_runs_in_the_server_and_its_events_replay_from_the_start_or_after_Last_Event_ID()
    {
        await using var server = UiTestServer.Start(_scratch.Path);
        var id = await server.EnqueueAsync(steps: 3);
        var job = await server.WaitForAsync(id, JobState.Finished);
        Assert.NotNull(job.Started);
        Assert.NotNull(job.Ended);

        var events = await ReadStream(server.Client, id);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Id));
        var types = events.Select(e => e.Type).ToList();
        Assert.Equal(["state", "state", "message", "start"], types.Take(4));
        Assert.Contains("progress", types);
        Assert.Contains("warning", types);
        Assert.Contains("image", types);
        Assert.Equal("finished", events[^1].Data.GetProperty("state").GetString());
        var lastProgress = events.Last(e => e.Type == "progress").Data;
        Assert.Equal(3, lastProgress.GetProperty("done").GetInt32());

        var after = await ReadStream(server.Client, id, lastEventId: 4);
        Assert.Equal(events.Skip(4).Select(e => e.Id), after.Select(e => e.Id));

        var log = await server.Client.GetStringAsync($"/jobs/{id}/log");
        Assert.Contains("starting", log);
        Assert.Contains("warning: a warning for the log", log);
        Assert.Contains("[finished]", log);
        var imageEvent = events.Single(e => e.Type == "image").Id;
        using var image = await server.Client.GetAsync($"/jobs/{id}/images/{imageEvent}");
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        using var notImage = await server.Client.GetAsync($"/jobs/{id}/images/1");
        Assert.Equal(HttpStatusCode.NotFound, notImage.StatusCode);

        var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(server.State, "jobs", id, "job.json"))).RootElement;
        Assert.Equal("finished", record.GetProperty("state").GetString());
        Assert.Equal(StepsJobKind.Name, record.GetProperty("kind").GetString());
        Assert.Equal(3, record.GetProperty("settings").GetProperty("steps").GetInt32());
    }

    [Fact]
    public async Task The_stream_is_live_while_the_job_runs()
    {
        await using var server = UiTestServer.Start(_scratch.Path);
        var id = await server.EnqueueAsync(steps: 20, stepMs: 20);
        var events = await ReadStream(server.Client, id); // starts while running, ends when the job does
        Assert.Equal("finished", events[^1].Data.GetProperty("state").GetString());
        Assert.Contains(events, e => e.Type == "progress");
    }

    [Fact]
    public async Task Events_arrive_while_the_job_runs_not_only_at_its_end()
    {
        await using var server = UiTestServer.Start(_scratch.Path);
        var id = await server.EnqueueAsync(steps: 100_000, stepMs: 5);
        using var response = await server.Client.GetAsync($"/jobs/{id}/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? line;
        do line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        while (line is not null && line != "event: progress");
        Assert.Equal("event: progress", line);
        Assert.Equal(JobState.Running, server.Queue.Find(id)!.State);
        Assert.True(server.Queue.Cancel(id));
        await server.WaitForAsync(id, JobState.Cancelled);
    }

    [Fact]
    public async Task A_job_image_is_served_only_from_the_job_folder_or_a_root()
    {
        await using var server = UiTestServer.Start(_scratch.Path);
        foreach (var (path, expected) in new[] { (Path.Combine(server.Secret, "private.png"), HttpStatusCode.Forbidden), (Path.Combine(server.Root, "cats", "tom.png"), HttpStatusCode.OK) })
        {
            var body = JsonSerializer.Serialize(new { kind = StepsJobKind.Name, settings = new { steps = 1, image_path = path } });
            using var created = await server.PostAsync("/api/jobs", new StringContent(body, Encoding.UTF8, "application/json"));
            var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            await server.WaitForAsync(id, JobState.Finished);
            var imageEvent = (await ReadStream(server.Client, id)).Single(e => e.Type == "image").Id;
            using var image = await server.Client.GetAsync($"/jobs/{id}/images/{imageEvent}");
            Assert.Equal(expected, image.StatusCode);
        }
    }

    [Fact]
    public async Task Bad_jobs_are_refused_and_failures_are_recorded()
    {
        await using var server = UiTestServer.Start(_scratch.Path);
        async Task<HttpStatusCode> Post(string json)
        {
            using var response = await server.PostAsync("/api/jobs", new StringContent(json, Encoding.UTF8, "application/json"));
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.BadRequest, await Post("""{"kind":"format-disk","settings":{}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, await Post("""{"kind":"test-steps","settings":{"steps":0}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, await Post("""{"kind":"test-steps","device":"../cpu","settings":{"steps":1}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, await Post("not json"));

        var id = await server.EnqueueAsync(steps: 1, fail: true);
        var failed = await server.WaitForAsync(id, JobState.Failed);
        Assert.Equal("the test job was told to fail", failed.Error);
        using var missing = await server.Client.GetAsync("/api/jobs/20990101-000000-abcdef");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var odd = await server.Client.GetAsync("/jobs/..%2f..%2fsecret/log");
        Assert.Equal(HttpStatusCode.NotFound, odd.StatusCode);
    }

    [Fact]
    public async Task A_cancelled_job_saves_and_resumes_where_it_stopped()
    {
        await using var server = UiTestServer.Start(_scratch.Path);
        var id = await server.EnqueueAsync(steps: 400, stepMs: 10);
        await server.WaitForAsync(id, JobState.Running);
        await Task.Delay(100);
        using (var cancel = await server.PostAsync($"/jobs/{id}/cancel"))
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        await server.WaitForAsync(id, JobState.Cancelled);
        var saved = int.Parse(File.ReadAllText(Path.Combine(server.State, "jobs", id, "saved.txt")));
        Assert.InRange(saved, 1, 399);
        using (var again = await server.PostAsync($"/jobs/{id}/cancel"))
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        using (var resume = await server.PostAsync($"/jobs/{id}/resume"))
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        var finished = await server.WaitForAsync(id, JobState.Finished);
        Assert.Equal(1, finished.Resumes);
        var log = await server.Client.GetStringAsync($"/jobs/{id}/log");
        Assert.Contains($"resuming at step {saved}", log);
        using var twice = await server.PostAsync($"/jobs/{id}/resume");
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);

        // The replay passes through the cancel to the finish; only the stream's last word, `end`, says it is over.
        var states = (await ReadStream(server.Client, id)).Where(e => e.Type == "state").Select(e => e.Data.GetProperty("state").GetString()).ToList();
        Assert.True(states.IndexOf("cancelled") < states.LastIndexOf("finished"), string.Join(", ", states));
        var raw = await server.Client.GetStringAsync($"/jobs/{id}/events");
        Assert.EndsWith("event: end\ndata: {}\n\n", raw);
        Assert.Equal(1, raw.Split("event: end").Length - 1);
    }

    [Fact]
    public async Task Jobs_run_one_at_a_time_per_device()
    {
        await using var server = UiTestServer.Start(_scratch.Path);
        var first = await server.EnqueueAsync(steps: 5, stepMs: 10);
        var second = await server.EnqueueAsync(steps: 5, stepMs: 10);
        await server.WaitForAsync(second, JobState.Finished);
        await server.WaitForAsync(first, JobState.Finished);
        Assert.Equal(1, server.Steps.MostAtOnce);
        Assert.True(server.Queue.Find(first)!.Ended <= server.Queue.Find(second)!.Started);
    }

    [Fact]
    public async Task The_queue_survives_a_restart_and_a_job_running_when_the_server_stopped_is_interrupted()
    {
        string finished, running, queued;
        await using (var server = UiTestServer.Start(_scratch.Path))
        {
            finished = await server.EnqueueAsync(steps: 2);
            await server.WaitForAsync(finished, JobState.Finished);
            running = await server.EnqueueAsync(steps: 10_000, stepMs: 5);
            queued = await server.EnqueueAsync(steps: 2);
            await server.WaitForAsync(running, JobState.Running);
        } // stopping the server stops the running job (it saves) and leaves the queued one queued

        await using (var restarted = UiTestServer.Start(_scratch.Path, fill: false))
        {
            Assert.Equal(JobState.Finished, restarted.Queue.Find(finished)!.State);
            Assert.Equal(JobState.Interrupted, restarted.Queue.Find(running)!.State);
            Assert.True(File.Exists(Path.Combine(restarted.State, "jobs", running, "saved.txt")));
            await restarted.WaitForAsync(queued, JobState.Finished); // the queued one runs on the new server
            var list = JsonDocument.Parse(await restarted.Client.GetStringAsync("/api/jobs")).RootElement;
            Assert.Equal(3, list.GetArrayLength());
            var events = await ReadStream(restarted.Client, finished);
            Assert.Equal("finished", events[^1].Data.GetProperty("state").GetString());
        }
    }

    [Fact]
    public async Task A_job_the_dead_server_left_running_comes_back_interrupted_and_can_be_resumed()
    {
        string id;
        await using (var server = UiTestServer.Start(_scratch.Path))
        {
            id = await server.EnqueueAsync(steps: 2);
            await server.WaitForAsync(id, JobState.Finished);
        }
        // What a killed server leaves: job.json still says running, and a torn last line in events.jsonl.
        var folder = Path.Combine(_scratch.Path, "state", "jobs", id);
        var record = File.ReadAllText(Path.Combine(folder, "job.json")).Replace("\"finished\"", "\"running\"");
        File.WriteAllText(Path.Combine(folder, "job.json"), record);
        File.AppendAllText(Path.Combine(folder, "events.jsonl"), "{\"id\": 99, \"ty");

        await using var restarted = UiTestServer.Start(_scratch.Path, fill: false);
        var job = restarted.Queue.Find(id)!;
        Assert.Equal(JobState.Interrupted, job.State);
        Assert.Contains("\"interrupted\"", File.ReadAllText(Path.Combine(folder, "job.json")));
        using (var resume = await restarted.PostAsync($"/jobs/{id}/resume"))
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        await restarted.WaitForAsync(id, JobState.Finished);
        // The torn line stays behind, alone: every event after it is read back whole.
        var reread = JobEventLog.Open(folder).Read(0).Events;
        Assert.Equal(["interrupted", "queued", "running", "finished"], reread.Where(e => e.Type == "state").Select(e => e.State.ToString()!.ToLowerInvariant()).TakeLast(4));
        Assert.Equal(Enumerable.Range(1, reread.Count).Select(i => (long)i), reread.Select(e => e.Id));
    }

    [Fact]
    public async Task The_queue_and_job_pages_render_with_escaped_values()
    {
        await using var server = UiTestServer.Start(_scratch.Path);
        var body = JsonSerializer.Serialize(new { kind = StepsJobKind.Name, settings = new { steps = 1, note = "<script>alert(1)</script>" } });
        using var created = await server.PostAsync("/api/jobs", new StringContent(body, Encoding.UTF8, "application/json"));
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        await server.WaitForAsync(id, JobState.Finished);

        var queue = await server.Client.GetStringAsync("/queue");
        Assert.Contains($"/jobs/{id}", queue);
        Assert.Contains("hx-get=\"/queue/table\"", queue);
        Assert.Contains(id, await server.Client.GetStringAsync("/queue/table"));
        var page = await server.Client.GetStringAsync($"/jobs/{id}");
        Assert.Contains($"data-job-events=\"/jobs/{id}/events\"", page);
        Assert.DoesNotContain("<script>alert", page);
        Assert.Contains("&lt;script&gt;", page);
        Assert.Contains(StepsJobKind.Name, await server.Client.GetStringAsync("/api/job-kinds"));
        Assert.Equal(id, JsonDocument.Parse(await server.Client.GetStringAsync($"/api/jobs/{id}")).RootElement.GetProperty("id").GetString());
    }
}
