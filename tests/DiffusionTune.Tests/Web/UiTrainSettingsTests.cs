using System.Net;
using System.Text;
using System.Text.Json;
using DiffusionTune.Web.Training;
using DiffusionTune.Workflows.Settings;

namespace DiffusionTune.Tests.Web;

/// <summary>The Train page's settings: the form made from the schema, its YAML view both ways, and the checks a train job gets.</summary>
public class UiTrainSettingsTests : UiServerTest
{
    [Fact]
    public async Task The_train_page_shows_the_presets_as_cards_and_a_field_for_every_setting()
    {
        var page = await Server.Client.GetStringAsync("/train?preset=quick-test");

        Assert.Contains("data-testid=\"preset-card-quick-test\"", page);
        Assert.Contains("data-testid=\"preset-card-subject-lora\"", page);
        Assert.Contains("Smoke test, a tiny LoRA", page);
        foreach (var setting in TrainSettings.All)
        {
            if (setting == TrainSettings.TrainerOptions)
                Assert.Contains("data-testid=\"trainer-options\"", page);
            else if (TrainRequestBuilder.Editable(setting))
                Assert.Contains($"data-testid=\"field-{setting.PresetKey}\"", page);
            else
                Assert.Matches($"data-testid=\"server-owned\">[^<]*\\b{setting.PresetKey}\\b", page);
        }
        // The chosen preset's trainer brings its declared options, the preset's values as what applies when left empty.
        Assert.Contains("data-testid=\"field-option.rank\"", page);
        Assert.Contains("Options of the trainer lora", page);
        // A choice setting is a select whose empty choice names what applies: here the preset's bf16.
        Assert.Contains("<option value=\"\">(bf16)</option>", page);
    }

    [Fact]
    public void Form_fields_become_yaml_that_reads_back_as_the_same_fields()
    {
        var fields = new Dictionary<string, string>
        {
            ["steps"] = "7", ["learning_rate"] = "0.002", ["flip"] = "true", ["precision"] = "fp32",
            ["instance_prompt"] = "a photo of sks star: \"quoted\" # not a comment",
            ["freeze"] = "up_blocks.3\ndown_blocks.0", ["block_lr"] = "mid_block=0.5",
            ["sample_prompt"] = "a yellow sks star\na star", ["option.rank"] = "4", ["option.alpha"] = "2",
        };
        var problems = new Dictionary<string, List<string>>();

        var yaml = TrainSettingsForm.ToYaml(fields, problems);
        var back = TrainSettingsForm.FromYaml(yaml);

        Assert.Empty(problems);
        Assert.Equal(fields.OrderBy(f => f.Key), back.OrderBy(f => f.Key));
        Assert.Contains("steps: 7\n", yaml);
        Assert.Contains("options:\n  alpha: 2\n  rank: 4\n", yaml);
    }

    [Fact]
    public async Task A_form_change_updates_the_yaml_and_a_yaml_change_updates_the_form()
    {
        var fromForm = await PostSettingsAsync("form", ("preset", "quick-test"), ("steps", "7"), ("option.rank", "4"));
        Assert.Contains(">options:\n  rank: 4\nsteps: 7\n</textarea>", fromForm);

        var fromYaml = await PostSettingsAsync("yaml", ("preset", "quick-test"), ("yaml", "steps: 9\nfreeze:\n  - up_blocks.3\noptions:\n  alpha: 3\n"));
        Assert.Contains("id=\"f-steps\" name=\"steps\" value=\"9\"", fromYaml);
        Assert.Contains(">up_blocks.3</textarea>", fromYaml);
        Assert.Contains("id=\"f-option-alpha\" name=\"option.alpha\" value=\"3\"", fromYaml);
    }

    [Fact]
    public async Task A_bad_value_shows_the_validators_message_at_its_field_and_a_bad_key_under_the_yaml()
    {
        var badField = await PostSettingsAsync("form", ("preset", "quick-test"), ("images_root", "files"), ("images_path", "cats"), ("steps", "0"), ("learning_rate", "fast"));
        Assert.Contains("data-testid=\"problem-steps\">settings:1: steps: must be at least 1, not 0</p>", badField);
        Assert.Contains("data-testid=\"problem-learning_rate\">settings:2: learning_rate: expected a number, not 'fast'</p>", badField);
        Assert.Contains("Fix the problems shown before starting.", badField);

        var badKey = await PostSettingsAsync("yaml", ("preset", "quick-test"), ("images_root", "files"), ("images_path", "cats"), ("yaml", "stepz: 3\n"));
        Assert.Contains("data-testid=\"settings-problems\"><li>settings:1: unknown key 'stepz' (did you mean 'steps'?)", badKey);

        var good = await PostSettingsAsync("form", ("preset", "quick-test"), ("images_root", "files"), ("images_path", "cats"), ("steps", "10"));
        Assert.Contains("Ready to start.", good);
    }

    [Fact]
    public async Task A_train_job_with_bad_settings_is_refused_with_the_clis_message()
    {
        async Task<string> Refused(object settings)
        {
            var body = JsonSerializer.Serialize(new { kind = "train", settings });
            using var response = await Server.PostAsync("/api/jobs", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }

        Assert.Equal("settings:1: steps: must be at least 1, not 0",
            await Refused(new { preset = "quick-test", yaml = "steps: 0", images_root = "files", images_path = "cats" }));
        Assert.StartsWith("settings:1: trainer: no trainer named 'lorra' (did you mean 'lora'?)",
            await Refused(new { yaml = "trainer: lorra", images_root = "files", images_path = "cats" }));
        Assert.Contains("no preset named 'quick'",
            await Refused(new { preset = "quick", images_root = "files", images_path = "cats" }));
        Assert.Equal("the image folder: '../secret' holds '..'; paths may not step out of their folder",
            await Refused(new { preset = "quick-test", images_root = "files", images_path = "../secret" }));
        Assert.Equal("settings:1: output: is set by the page (the image folder picker; each job writes into its own folder, on its own device)",
            await Refused(new { preset = "quick-test", yaml = "output: /tmp/elsewhere", images_root = "files", images_path = "cats" }));
        Assert.StartsWith("settings:1: model: '/etc' is an absolute path",
            await Refused(new { preset = "quick-test", yaml = "model: files//etc", images_root = "files", images_path = "cats" }));
        Assert.Empty(Server.Queue.Jobs);
    }

    async Task<string> PostSettingsAsync(string from, params (string Name, string Value)[] fields)
    {
        using var response = await Server.PostAsync($"/train/settings?from={from}",
            new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Decoded, so that the assertions read as the user reads the page.
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }
}
