using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.IO.Images;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Web.JobKinds;
using DiffusionTune.Web.Jobs;
using TorchSharp;

namespace DiffusionTune.Tests.Web;

/// <summary>
/// The Generate and Compare pages and their jobs through the server: the pages offer the library's files, bad settings
/// and paths outside the roots are refused before anything is queued, and real jobs on the embedded model (tiny
/// settings) write their images with metadata, which the gallery lists and "use these settings" gives back.
/// </summary>
public sealed partial class UiGenerateTests : UiServerTest
{
    const string Prompt = "a red star on a plain white background";

    /// <summary>A LoRA with a trigger word, a training run's folder of two checkpoints, an embedding, a hypernetwork and a pipeline folder in the root.</summary>
    void FillLibrary()
    {
        using var down = torch.zeros(2, 4);
        using var up = torch.zeros(4, 2);
        var lora = new Dictionary<string, torch.Tensor> { ["lora_unet_mid_block_attentions_0_proj_in.lora_down.weight"] = down, ["lora_unet_mid_block_attentions_0_proj_in.lora_up.weight"] = up };
        Directory.CreateDirectory(Path.Combine(Server.Root, "loras"));
        Directory.CreateDirectory(Path.Combine(Server.Root, "run"));
        SafetensorsWriter.Save(Path.Combine(Server.Root, "loras", "cat.safetensors"), lora,
            new Dictionary<string, string> { ["ss_network_dim"] = "2", ["diffusiontune.trigger"] = "sks" });
        foreach (var name in new[] { "lora-step000010", "lora" })
            SafetensorsWriter.Save(Path.Combine(Server.Root, "run", $"{name}.safetensors"), lora, new Dictionary<string, string> { ["ss_network_dim"] = "2" });
        Directory.CreateDirectory(Path.Combine(Server.Root, "embeddings"));
        using var vectors = torch.zeros(1, 32);
        SafetensorsWriter.Save(Path.Combine(Server.Root, "embeddings", "shiny.safetensors"), [new("emb_params", vectors)], new Dictionary<string, string>());
        Directory.CreateDirectory(Path.Combine(Server.Root, "hypernetworks"));
        using var weight = torch.zeros(4, 4);
        SafetensorsWriter.Save(Path.Combine(Server.Root, "hypernetworks", "ink.safetensors"), [new("768.0.linear.weight", weight)], new Dictionary<string, string> { ["layer_structure"] = "1,2,1" });
        Directory.CreateDirectory(Path.Combine(Server.Root, "pipeline"));
        File.WriteAllText(Path.Combine(Server.Root, "pipeline", "model_index.json"), "{}");
    }

    [Fact]
    public async Task The_Generate_and_Compare_pages_offer_the_library_samplers_and_triggers()
    {
        FillLibrary();
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
    public async Task Models_and_adapters_outside_the_roots_are_refused()
    {
        FillLibrary();
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
    public async Task A_training_run_s_folder_gives_a_column_per_checkpoint_by_step_and_strength()
    {
        FillLibrary();
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
    public async Task A_generate_job_on_the_embedded_model_writes_a_PNG_with_its_parameters_which_the_gallery_lists_and_gives_back()
    {
        using var queued = await Server.PostJsonAsync("/api/jobs", new
        {
            kind = GenerateJobKind.Name,
            settings = new { prompt = Prompt, negative_prompt = "blurry", seed = 7, steps = 2, cfg = 5.5, sampler = "euler", width = 64, height = 64 },
        });
        Assert.Equal(HttpStatusCode.Created, queued.StatusCode);
        var id = JsonDocument.Parse(await queued.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var job = await Server.WaitUntilAtRestAsync(id);
        Assert.True(job.State == JobState.Finished, job.Error);

        var png = Assert.Single(Directory.GetFiles(Path.Combine(Server.State, "jobs", id, GenerateJobKind.ImagesFolder), "*.png"));
        var parameters = GenerationParameters.Parse(PngTextReader.Find(png, "parameters")!);
        Assert.Equal((Prompt, "blurry", 7L, 2, 5.5, "Euler", 64, 64), (parameters.Prompt, parameters.NegativePrompt, parameters.Seed, parameters.Steps, parameters.CfgScale, parameters.Sampler, parameters.Width, parameters.Height));
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
        using var unknown = await Server.Client.GetAsync($"/generate?job={id}&image=1");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
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
    }

    /// <summary>An input with id <paramref name="id"/> whose value is <paramref name="value"/>.</summary>
    static Regex SettingValue(string id, string value) => new($"""id="{id}"[^>]*value="{Regex.Escape(value)}" """.TrimEnd());

    [GeneratedRegex(@"^r(\d{3})-c(\d{3})-s\d+\.png$")]
    private static partial Regex CellFile();
}
