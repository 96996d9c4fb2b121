using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DiffusionTune.IO.Images;
using DiffusionTune.Web;
using DiffusionTune.Web.JobKinds;
using DiffusionTune.Web.Jobs;
using DiffusionTune.Web.Safety;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;

namespace DiffusionTune.Tests.Web;

/// <summary>
/// The UI server on an in-memory test server, over a scratch folder holding one root (<c>files/</c>, with an image, a
/// caption, a text file and a subfolder), a folder outside it (<c>secret/</c>) and the state folder (<c>state/</c>).
/// Several servers can be started in turn on the same folder (a restart).
/// </summary>
sealed class UiTestServer : IAsyncDisposable
{
    public WebApplication App { get; }
    public HttpClient Client { get; }
    public StepsJobKind Steps { get; } = new();
    public string Folder { get; }
    public string Root => Path.Combine(Folder, "files");
    public string Secret => Path.Combine(Folder, "secret");
    public string State => Path.Combine(Folder, "state");

    UiTestServer(string folder, Func<UiOptions, UiOptions>? adjust)
    {
        Folder = folder;
        var options = new UiOptions { Roots = [Root], StateFolder = State, MaxUploadBytes = 64 * 1024, MaxUploadFiles = 3 };
        App = UiServer.Build(adjust is null ? options : adjust(options),
            services => services.AddSingleton<IJobKind>(Steps),
            host => host.UseTestServer());
        App.StartAsync().GetAwaiter().GetResult();
        Client = App.GetTestClient();
    }

    /// <summary>A server over <paramref name="folder"/>, which is filled with the roots' files first when <paramref name="fill"/>.</summary>
    public static UiTestServer Start(string folder, bool fill = true, Func<UiOptions, UiOptions>? adjust = null)
    {
        if (fill) Fill(folder);
        return new UiTestServer(folder, adjust);
    }

    static void Fill(string folder)
    {
        var root = Path.Combine(folder, "files");
        Directory.CreateDirectory(Path.Combine(root, "cats"));
        Directory.CreateDirectory(Path.Combine(folder, "secret"));
        File.WriteAllText(Path.Combine(folder, "secret", "password.txt"), "hunter2");
        WritePng(Path.Combine(folder, "secret", "private.png"), 8, 8);
        WritePng(Path.Combine(root, "cats", "tom.png"), 300, 200);
        File.WriteAllText(Path.Combine(root, "cats", "tom.txt"), "a grey cat\n");
        WritePng(Path.Combine(root, "cats", "felix.png"), 16, 16);
        File.WriteAllText(Path.Combine(root, "notes.txt"), "not an image");
    }

    public static void WritePng(string path, int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(SKColors.CornflowerBlue);
        PngWriter.Write(path, bitmap, overwrite: true);
    }

    public static byte[] PngBytes(int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(SKColors.Orange);
        return PngWriter.Encode(bitmap);
    }

    /// <summary>The token the pages hand to htmx (what a same-origin page sends).</summary>
    public string RequestToken => App.Services.GetRequiredService<CrossSiteGuard>().RequestToken;

    public JobQueue Queue => App.Services.GetRequiredService<JobQueue>();

    /// <summary>A state-changing request as the UI's own pages send it.</summary>
    public HttpRequestMessage SameOrigin(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add(CrossSiteGuard.HeaderName, RequestToken);
        request.Headers.Add("Origin", "http://localhost");
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        return request;
    }

    public Task<HttpResponseMessage> PostAsync(string path, HttpContent? content = null) =>
        Client.SendAsync(SameOrigin(HttpMethod.Post, path, content));

    /// <summary>Queues a test job through the API and returns its id.</summary>
    public async Task<string> EnqueueAsync(int steps, int stepMs = 0, bool fail = false, string device = "cpu")
    {
        var body = JsonSerializer.Serialize(new { kind = StepsJobKind.Name, device, settings = new { steps, step_ms = stepMs, fail } });
        using var response = await PostAsync("/api/jobs", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Waits (polling, at most <paramref name="seconds"/>) until job <paramref name="id"/> is in <paramref name="state"/>.</summary>
    public async Task<JobRecord> WaitForAsync(string id, JobState state, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (Queue.Find(id) is { } job && job.State == state) return job;
            await Task.Delay(20);
        }
        throw new TimeoutException($"job {id} did not become {state}; it is {Queue.Find(id)?.State}");
    }

    /// <summary>Waits (polling, at most <paramref name="seconds"/>) until job <paramref name="id"/> is at rest; a real model's job takes longer than a test job.</summary>
    public async Task<JobRecord> WaitUntilAtRestAsync(string id, int seconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (Queue.Find(id) is { } job && job.State.IsAtRest()) return job;
            await Task.Delay(50);
        }
        throw new TimeoutException($"job {id} did not finish in {seconds} s; it is {Queue.Find(id)?.State}");
    }

    /// <summary>POSTs <paramref name="body"/> as JSON, as the pages' scripts do.</summary>
    public Task<HttpResponseMessage> PostJsonAsync(string path, object body) =>
        PostAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));

    public static MultipartFormDataContent Upload(params (string Name, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, bytes) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "images", name);
        }
        return form;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
