using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.IO.Images;
using DiffusionTune.Web.JobKinds;
using DiffusionTune.Web.Jobs;

namespace DiffusionTune.Tests.Web;

/// <summary>
/// The Generate and Compare pages and the generate job through the server: the pages offer the library's files, bad
/// settings and paths outside the roots are refused before anything is queued, and a real job on the embedded model
/// (tiny settings) writes its image with metadata, which the gallery lists and "use these settings" gives back.
/// </summary>
public sealed class UiGenerateTests : UiServerTest
{
    const string Prompt = "a red star on a plain white background";

    [Fact]
    public async Task The_Generate_and_Compare_pages_offer_the_library_samplers_and_triggers()
    {
        LibraryFiles.Fill(Server.Root);
        var generate = await Server.Client.GetStringAsync("/generate");
        Assert.Contains("<title>Generate · DiffusionTune</title>", generate);
        Assert.Contains("<a href=\"/generate\" class=\"active\"", generate);
        foreach (var id in new[] { "prompt", "negative-prompt", "seed", "random-seed", "steps", "sampler", "cfg", "width", "height", "batch-count", "model", "embedding", "generate-button", "generated-images", "gallery" })
            Assert.Contains($"data-testid=\"{id}\"", generate);
        foreach (var sampler in SamplerChoice.All) Assert.Contains($"<option value=\"{sampler.ShortName}\"", generate);
        Assert.Contains("embedded shapes-world model (default)", generate);
        Assert.Contains("data-root=\"files\" data-path=\"pipeline\"", generate);
        Assert.Contains("data-path=\"loras/cat.safetensors\"", generate);
        Assert.Contains("data-trigger=\"sks\"", generate);
        Assert.Contains("data-path=\"embeddings/shiny.safetensors\" data-trigger=\"shiny\"", generate);
        Assert.Contains("data-path=\"hypernetworks/ink.safetensors\"", generate);
        Assert.Contains("/static/generate.js", generate);

        var compare = await Server.Client.GetStringAsync("/compare");
        Assert.Contains("<a href=\"/compare\" class=\"active\"", compare);
        foreach (var id in new[] { "compare-prompts", "x-axis", "x-values", "y-axis", "y-values", "strengths", "compare-start", "compare-grid", "compare-final" })
            Assert.Contains($"data-testid=\"{id}\"", compare);
        Assert.Contains("data-path=\"run\"> files/run/ (2 checkpoints)", compare);
        Assert.Contains("data-path=\"hypernetworks/ink.safetensors\"", compare);
        Assert.Contains("data-path=\"embeddings/shiny.safetensors\"", compare);
        Assert.Contains("<option value=\"cfg\">", compare);
        Assert.Contains("<option value=\"prompt\">", compare);

        foreach (var script in new[] { "jobs.js", "generate.js", "compare.js" })
            Assert.Contains("\"use strict\"", await Server.Client.GetStringAsync($"/static/{script}"));
        Assert.Contains("No generated images yet.", await Server.Client.GetStringAsync("/gallery"));
    }

    [Theory]
    [InlineData("""{"prompt": "", "steps": 2}""", "nothing to generate")]
    [InlineData("""{"prompt": "a star", "steps": 0}""", "steps must be between 1 and 1000 (got 0)")]
    [InlineData("""{"prompt": "a star", "cfg": -1}""", "the guidance scale must be at least 0 (got -1)")]
    [InlineData("""{"prompt": "a star", "sampler": "bogus"}""", "unknown sampler 'bogus'")]
    [InlineData("""{"prompt": "a star", "width": 0}""", "width and height must be positive")]
    [InlineData("""{"prompt": "a star", "batch_count": 0}""", "--batch-count must be at least 1")]
    [InlineData("""{"prompt": "a star", "stepz": 3}""", "stepz")]
    [InlineData("""{"prompt": "a star <lora:cat:1>"}""", "pick LoRAs and hypernetworks with the pickers")]
    [InlineData("""{"prompt": "a star", "loras": [{"root": "files", "path": "loras/missing.safetensors"}]}""", "loras: 'files/loras/missing.safetensors' not found")]
    [InlineData("""{"prompt": "a star", "loras": [{"root": "files", "path": "loras/*.safetensors"}]}""", "wildcard")]
    public async Task A_generate_job_with_bad_settings_is_refused_with_the_CLI_s_message(string settings, string message)
    {
        using var response = await Server.PostJsonAsync("/api/jobs", new { kind = GenerateJobKind.Name, settings = JsonDocument.Parse(settings).RootElement });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
        Assert.Empty(Server.Queue.Jobs);
    }

    [Fact]
    public async Task Models_and_adapters_outside_the_roots_are_refused()
    {
        LibraryFiles.Fill(Server.Root);
        File.WriteAllText(Path.Combine(Server.Secret, "outside.safetensors"), "x");
        Directory.CreateSymbolicLink(Path.Combine(Server.Root, "linked"), Server.Secret);
        File.CreateSymbolicLink(Path.Combine(Server.Root, "run", "lora-step000020.safetensors"), Path.Combine(Server.Secret, "outside.safetensors"));
        var outside = new object[]
        {
            new { kind = "generate", settings = new { prompt = "a", model = new { root = "files", path = "../secret" } } },
            new { kind = "generate", settings = new { prompt = "a", model = new { root = "files", path = Server.Secret } } },
            new { kind = "generate", settings = new { prompt = "a", model = new { root = "nope", path = "x" } } },
            new { kind = "generate", settings = new { prompt = "a", loras = new[] { new { root = "files", path = "linked/outside.safetensors", strength = 1 } } } },
            new { kind = "generate", settings = new { prompt = "a", hypernetworks = new[] { new { root = "files", path = "../secret/outside.safetensors", strength = 1 } } } },
            new { kind = "generate", settings = new { prompt = "a", embedding = new { root = "files", path = "linked" } } },
            new { kind = "compare", settings = new { prompts = new[] { "a" }, models = new[] { new { root = "files", path = "linked" } } } },
            new { kind = "compare", settings = new { prompts = new[] { "a" }, loras = new[] { new { root = "files", path = "linked/outside.safetensors" } } } },
            // A training run's folder holding a link that leads out of the roots.
            new { kind = "compare", settings = new { prompts = new[] { "a" }, loras = new[] { new { root = "files", path = "run" } } } },
        };
        foreach (var job in outside)
        {
            using var response = await Server.PostJsonAsync("/api/jobs", job);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{JsonSerializer.Serialize(job)}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.Empty(Server.Queue.Jobs);
    }

    [Fact]
    public async Task A_generate_job_on_the_embedded_model_writes_a_PNG_with_its_parameters_which_the_gallery_lists_and_gives_back()
    {
        // A LoRA picked from the root (zero weights on one attention of the embedded model's mid block), merged at 0.5.
        Directory.CreateDirectory(Path.Combine(Server.Root, "loras"));
        using (var down = TorchSharp.torch.zeros(2, 192))
        using (var up = TorchSharp.torch.zeros(192, 2))
            DiffusionTune.IO.Safetensors.SafetensorsWriter.Save(Path.Combine(Server.Root, "loras", "zero.safetensors"),
                [new("lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_q.lora_down.weight", down), new("lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_q.lora_up.weight", up)]);
        using var queued = await Server.PostJsonAsync("/api/jobs", new
        {
            kind = GenerateJobKind.Name,
            settings = new
            {
                prompt = Prompt, negative_prompt = "blurry", seed = 7, steps = 2, cfg = 5.5, sampler = "euler", width = 64, height = 64,
                loras = new[] { new { root = "files", path = "loras/zero.safetensors", strength = 0.5 } },
            },
        });
        Assert.Equal(HttpStatusCode.Created, queued.StatusCode);
        var id = JsonDocument.Parse(await queued.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var job = await Server.WaitUntilAtRestAsync(id);
        Assert.True(job.State == JobState.Finished, job.Error);

        var png = Assert.Single(Directory.GetFiles(Path.Combine(Server.State, "jobs", id, GenerateJobKind.ImagesFolder), "*.png"));
        var parameters = GenerationParameters.Parse(PngTextReader.Find(png, "parameters")!);
        Assert.Equal((Prompt, "blurry", 7L, 2, 5.5, "Euler", 64, 64), (parameters.Prompt, parameters.NegativePrompt, parameters.Seed, parameters.Steps, parameters.CfgScale, parameters.Sampler, parameters.Width, parameters.Height));
        Assert.Contains(parameters.Extra, e => e.Key == "Lora strengths" && e.Value == "zero: 0.5");
        var image = Assert.Single(Server.Queue.Events(id).Read(0).Events, e => e.Type == JobEventTypes.Image);
        Assert.Equal(Path.GetFullPath(png), image.Path);
        using (var served = await Server.Client.GetAsync($"/jobs/{id}/images/{image.Id}"))
            Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);

        var gallery = JsonDocument.Parse(await Server.Client.GetStringAsync("/api/gallery")).RootElement;
        var item = Assert.Single(gallery.EnumerateArray());
        Assert.Equal(image.Id, item.GetProperty("image").GetInt64());
        Assert.Equal(parameters.ToParametersText(), item.GetProperty("parameters").GetString());
        Assert.Equal("euler", item.GetProperty("settings").GetProperty("sampler").GetString());
        var page = await Server.Client.GetStringAsync("/gallery");
        Assert.Contains("data-testid=\"gallery-image\"", page);
        Assert.Contains($"/jobs/{id}/images/{image.Id}", page);
        Assert.Contains("Steps: 2", page);

        // "Use these settings" gives the form back what the image records; "send to compare" fills the Compare page.
        var use = await Server.Client.GetStringAsync($"/generate?job={id}&image={image.Id}");
        Assert.Contains($">{Prompt}</textarea>", use);
        Assert.Contains(">blurry</textarea>", use);
        Assert.Matches(SettingValue("seed", "7"), use);
        Assert.Matches(SettingValue("steps", "2"), use);
        Assert.Matches(SettingValue("cfg", "5.5"), use);
        Assert.Matches(SettingValue("width", "64"), use);
        Assert.Contains("<option value=\"euler\" selected>", use);
        var compare = await Server.Client.GetStringAsync($"/compare?job={id}&image={image.Id}");
        Assert.Contains($"data-testid=\"compare-prompts\">{Prompt}</textarea>", compare);
        Assert.Matches(SettingValue("steps", "2"), compare);
        // A page opened on the job (its address once Generate queued it) shows that job's images again.
        Assert.Contains($"data-follow-job=\"{id}\"", await Server.Client.GetStringAsync($"/generate?follow={id}"));
        using (var notCompare = await Server.Client.GetAsync($"/compare?follow={id}"))
            Assert.Equal(HttpStatusCode.NotFound, notCompare.StatusCode);
        using var unknown = await Server.Client.GetAsync($"/generate?job={id}&image=1");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    /// <summary>An input with id <paramref name="id"/> whose value is <paramref name="value"/>.</summary>
    static Regex SettingValue(string id, string value) => new($"""id="{id}"[^>]*value="{Regex.Escape(value)}" """.TrimEnd());
}
