using System.Net;
using System.Text.Json;
using DiffusionTune.IO.Safetensors;
using TorchSharp;

namespace DiffusionTune.Tests.Web;

/// <summary>The pages, the folder browser, managed datasets (upload, thumbnails, captions) and the library, through the server.</summary>
public sealed class UiPageTests : UiServerTest
{
    [Fact]
    public async Task Every_page_renders_in_the_layout_and_the_assets_are_served()
    {
        using var home = await Server.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        foreach (var (path, title) in new[] { ("/queue", "Queue"), ("/train", "Train"), ("/library", "Library") })
        {
            using var response = await Server.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains($"<title>{title} · DiffusionTune</title>", html);
            Assert.Contains($"<a href=\"{path}\" class=\"active\"", html);
            Assert.Contains(Server.RequestToken, html);
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        }
        var htmx = await Server.Client.GetStringAsync("/static/vendor/htmx.min.js");
        Assert.Contains("htmx", htmx);
        Assert.Contains("EventSource", await Server.Client.GetStringAsync("/static/app.js"));
        Assert.Contains("body", await Server.Client.GetStringAsync("/static/app.css"));
        using var readme = await Server.Client.GetAsync("/static/vendor/README.md");
        Assert.Equal(HttpStatusCode.NotFound, readme.StatusCode);
    }

    [Fact]
    public async Task The_folder_browser_lists_roots_folders_and_images_with_captions()
    {
        var roots = JsonDocument.Parse(await Server.Client.GetStringAsync("/api/roots")).RootElement;
        Assert.Equal("files", roots[0].GetProperty("name").GetString());

        var root = JsonDocument.Parse(await Server.Client.GetStringAsync("/api/browse?root=files")).RootElement;
        Assert.Equal("", root.GetProperty("path").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("parent").ValueKind);
        Assert.Equal(["cats"], root.GetProperty("folders").EnumerateArray().Select(f => f.GetString()));

        var cats = JsonDocument.Parse(await Server.Client.GetStringAsync("/api/browse?root=files&path=cats")).RootElement;
        Assert.Equal("", cats.GetProperty("parent").GetString());
        var images = cats.GetProperty("images").EnumerateArray().Select(i => (i.GetProperty("file_name").GetString(), i.GetProperty("caption").GetString())).ToList();
        Assert.Equal([("felix.png", null), ("tom.png", "a grey cat")], images);

        var partial = await Server.Client.GetStringAsync("/browse?root=files&path=cats");
        Assert.Contains("a grey cat", partial);
        Assert.Contains("/files/thumbnail?root=files&path=cats%2Ftom.png", partial);
        Assert.Contains("hx-get=\"/browse?root=files", await Server.Client.GetStringAsync("/browse"));

        using var thumbnail = await Server.Client.GetAsync("/files/thumbnail?root=files&path=cats/tom.png");
        Assert.Equal("image/png", thumbnail.Content.Headers.ContentType?.MediaType);
        using var small = SkiaSharp.SKBitmap.Decode(await thumbnail.Content.ReadAsByteArrayAsync());
        Assert.Equal((192, 128), (small.Width, small.Height));
        using var missing = await Server.Client.GetAsync("/api/browse?root=files&path=dogs");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_dataset_is_created_uploaded_into_and_captioned()
    {
        using (var created = await Server.PostAsync("/datasets", new FormUrlEncodedContent([new("name", "my-cat")])))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("/datasets/my-cat", created.Headers.GetValues("HX-Redirect").Single());
        }
        using (var taken = await Server.PostAsync("/datasets", new FormUrlEncodedContent([new("name", "my-cat")])))
            Assert.Equal(HttpStatusCode.BadRequest, taken.StatusCode);
        using (var bad = await Server.PostAsync("/datasets", new FormUrlEncodedContent([new("name", "../x")])))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("my-cat", await Server.Client.GetStringAsync("/api/datasets"));
        Assert.Contains("/datasets/my-cat", await Server.Client.GetStringAsync("/train"));

        // An htmx upload answers with the refreshed grid.
        using var request = Server.SameOrigin(HttpMethod.Post, "/datasets/my-cat/images", UiTestServer.Upload(("cat.png", UiTestServer.PngBytes(40, 40))));
        request.Headers.Add("HX-Request", "true");
        using var uploaded = await Server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        Assert.Contains("Added 1 image(s).", await uploaded.Content.ReadAsStringAsync());

        var images = JsonDocument.Parse(await Server.Client.GetStringAsync("/api/datasets/my-cat/images")).RootElement;
        var file = images[0].GetProperty("file_name").GetString()!;
        Assert.Equal(JsonValueKind.Null, images[0].GetProperty("caption").ValueKind);
        using var thumbnail = await Server.Client.GetAsync($"/datasets/my-cat/thumbnail/{file}");
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);

        using (var saved = await Server.PostAsync($"/datasets/my-cat/captions/{file}", new FormUrlEncodedContent([new("caption", "  a <b>ginger</b> cat  ")])))
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var captionFile = Path.Combine(Server.State, "datasets", "my-cat", Path.ChangeExtension(file, ".txt"));
        Assert.Equal("a <b>ginger</b> cat\n", File.ReadAllText(captionFile));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(captionFile)!, "*.tmp*"));
        var page = await Server.Client.GetStringAsync("/datasets/my-cat");
        Assert.Contains("a &lt;b&gt;ginger&lt;/b&gt; cat", page);

        foreach (var target in new[] { "..%2f..%2fjobs.txt", "notes.txt", "missing.png" })
        {
            using var refused = await Server.PostAsync($"/datasets/my-cat/captions/{target}", new FormUrlEncodedContent([new("caption", "x")]));
            Assert.True(refused.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"{target}: {refused.StatusCode}");
        }
        using var unknown = await Server.Client.GetAsync("/datasets/nope");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_library_shows_metadata_and_the_damage_report_beside_a_lora()
    {
        var loras = Path.Combine(Server.Root, "loras");
        Directory.CreateDirectory(loras);
        using (var down = torch.zeros(2, 4))
        using (var up = torch.zeros(4, 2))
        {
            SafetensorsWriter.Save(Path.Combine(loras, "cat.safetensors"),
                [new("lora_unet_mid_block_attentions_0_proj_in.lora_down.weight", down), new("lora_unet_mid_block_attentions_0_proj_in.lora_up.weight", up)],
                new Dictionary<string, string> { ["ss_network_dim"] = "2", ["ss_sd_model_name"] = "shapes-world-base", ["diffusiontune.trigger"] = "sks cat", ["other"] = "hidden" });
        }
        File.WriteAllText(Path.Combine(loras, "cat.damage.json"), """
            {"base": "b", "tuned": "t", "general": {"prompts": [""], "total": {"mean_squared_error": 0.02, "base_mean_square": 1.0},
              "timesteps": [{"timestep": 500, "drift": {"mean_squared_error": 0.03, "base_mean_square": 1.0}}], "per_prompt": [], "blocks": [{"block": "mid_block", "drift": {"mean_squared_error": 0.01, "base_mean_square": 0.5}}]},
             "concept": {"prompts": ["cat"], "total": {"mean_squared_error": 0.1, "base_mean_square": 1.0}, "timesteps": [], "per_prompt": [], "blocks": []}}
            """);
        File.WriteAllText(Path.Combine(loras, "broken.safetensors"), "not a safetensors file");
        Directory.CreateDirectory(Path.Combine(Server.Root, "pipeline", "unet"));
        File.WriteAllText(Path.Combine(Server.Root, "pipeline", "model_index.json"), "{}");
        File.WriteAllText(Path.Combine(Server.Root, "pipeline", "unet", "diffusion_pytorch_model.safetensors"), "12345");
        File.WriteAllText(Path.Combine(Server.Secret, "outside.safetensors"), "x");
        Directory.CreateSymbolicLink(Path.Combine(Server.Root, "linked"), Server.Secret);

        var items = JsonDocument.Parse(await Server.Client.GetStringAsync("/api/library")).RootElement.EnumerateArray().ToList();
        Assert.Equal(["loras/broken.safetensors", "loras/cat.safetensors", "pipeline"], items.Select(i => i.GetProperty("relative_path").GetString()));
        Assert.Equal("model", items[2].GetProperty("kind").GetString());
        Assert.True(items[2].GetProperty("bytes").GetInt64() >= 7);
        var cat = items[1];
        Assert.Equal("lora", cat.GetProperty("kind").GetString());
        Assert.Equal("shapes-world-base", cat.GetProperty("base_model").GetString());
        Assert.Equal("sks cat", cat.GetProperty("trigger").GetString());
        Assert.Equal(["ss_network_dim", "ss_sd_model_name"], cat.GetProperty("training_settings").EnumerateObject().Select(p => p.Name));
        var damage = cat.GetProperty("damage");
        Assert.Equal(0.02, damage.GetProperty("general_drift").GetDouble(), 9);
        Assert.Equal(5.0, damage.GetProperty("concept_to_general").GetDouble(), 9);
        Assert.Equal(0.02, damage.GetProperty("blocks")[0].GetProperty("drift").GetDouble(), 9);
        Assert.Equal(500, damage.GetProperty("timesteps")[0].GetProperty("timestep").GetInt32());
        Assert.Equal(0.03, damage.GetProperty("timesteps")[0].GetProperty("drift").GetDouble(), 9);
        Assert.NotEqual(JsonValueKind.Null, items[0].GetProperty("problem").ValueKind);

        var page = await Server.Client.GetStringAsync("/library");
        Assert.Contains("LoRAs", page);
        Assert.Contains("sks cat", page);
        Assert.Contains("general drift <b>2%</b>", page);
        Assert.Contains("Drift per timestep", page);
        Assert.DoesNotContain("outside", page);
    }
}
