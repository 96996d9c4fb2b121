using DiffusionTune.Cli;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Images;
using DiffusionTune.Models.Adapters;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Damage;
using static DiffusionTune.Tests.Adapters.AdapterTestData;

namespace DiffusionTune.Tests.Cli;

/// <summary><c>FILE[:STRENGTH][@TRIGGER]</c>, <c>--gated</c>, trigger matching, and gated adapters through the commands.</summary>
public class GatedAdapterArgumentTests
{
    [Theory]
    [InlineData("a sks star", true)]
    [InlineData("SKS", true)]
    [InlineData("a (sks:1.2) star", true)]
    [InlineData("[sks], star", true)]
    [InlineData("sks-star", true)]
    [InlineData("it asks", false)]
    [InlineData("sks_2 star", false)]
    [InlineData("skss", false)]
    public void A_trigger_matches_whole_words_ignoring_case_and_weighting(string prompt, bool occurs) =>
        Assert.Equal(occurs, PromptWord.Occurs(prompt, "sks"));

    [Fact]
    public void Triggers_follow_the_last_at_sign_after_an_existing_file_and_its_strength()
    {
        using var scratch = new ScratchFolder();
        var file = scratch.File("star.safetensors");
        File.WriteAllText(file, "");
        // A folder with '@' in its name (as in Windows profiles or npm-style folders) stays part of the path.
        Directory.CreateDirectory(scratch.File("me@work"));
        var atFile = scratch.File(Path.Combine("me@work", "style.safetensors"));
        File.WriteAllText(atFile, "");

        Assert.Equal(new LoraArgument(file, 1, "sks"), LoraArgument.Parse(file + "@sks"));
        Assert.Equal(new LoraArgument(file, 0.5, "my_Word-2"), LoraArgument.Parse(file + ":0.5@my_Word-2"));
        Assert.Equal(new LoraArgument(file, -1), LoraArgument.Parse(file + ":-1"));
        Assert.Equal(new LoraArgument(atFile, 1), LoraArgument.Parse(atFile));
        Assert.Equal(new LoraArgument(atFile, 0.7, "sks"), LoraArgument.Parse(atFile + ":0.7@sks"));
        Assert.Equal((atFile, 2.0, (string?)"sks"), GatedFileArgument.Parse(atFile + ":2@sks", "--hypernetwork", "hypernetwork"));
        Assert.Equal(file + ":0.5@sks", new LoraArgument(file, 0.5, "sks").Text);
    }

    [Theory]
    [InlineData("@", "'' is not a trigger word")]
    [InlineData("@two words", "'two words' is not a trigger word")]
    [InlineData("@sks:0.5", "'sks:0.5' is not a trigger word (write FILE@sks")]
    [InlineData(":strong@sks", "'strong' is not a strength")]
    public void Bad_triggers_are_one_line_errors_naming_the_argument(string suffix, string message)
    {
        using var scratch = new ScratchFolder();
        var file = scratch.File("star.safetensors");
        File.WriteAllText(file, "");

        var error = Assert.Throws<ArgumentException>(() => LoraArgument.Parse(file + suffix));
        Assert.Contains(message, error.Message);
        Assert.StartsWith("--lora " + file, error.Message);
    }

    [Fact]
    public void A_missing_file_with_a_trigger_is_reported_as_missing()
    {
        var error = Assert.Throws<ModelFileException>(() => LoraArgument.Parse("/no/such/star.safetensors@sks"));
        Assert.Contains("not found", error.Message);
    }

    [Fact]
    public void Gated_takes_the_trigger_the_trainer_recorded_and_names_a_file_that_records_none()
    {
        var recorded = WriteKohyaLora("recorded.safetensors", [(SelfAttentionQuery, 4)], new KohyaLoraMetadata { Training = new Dictionary<string, string> { [ModelMetadata.Trigger] = "sks" } });
        var plain = WriteKohyaLora("plain.safetensors", [(SelfAttentionQuery, 4)]);

        Assert.Equal("sks", AdapterTrigger.Resolve(recorded, null, gated: true, "--lora"));
        Assert.Equal("zwx", AdapterTrigger.Resolve(recorded, "zwx", gated: true, "--lora"));
        Assert.Null(AdapterTrigger.Resolve(recorded, null, gated: false, "--lora"));
        var error = Assert.Throws<ArgumentException>(() => AdapterTrigger.Resolve(plain, null, gated: true, "--lora"));
        Assert.Contains(plain, error.Message);
        Assert.Contains($"--lora {plain}@WORD", error.Message);
    }

    [Fact]
    public async Task Generate_with_a_gated_lora_leaves_other_prompts_images_untouched_and_records_the_gate()
    {
        var model = RandomTinyModel.SaveDiffusers(seed: 5);
        var lora = WriteKohyaLora("subject.safetensors", [(SelfAttentionQuery, 4), (CrossAttentionKey, 4), (AttentionOut, 4), (TextQuery, 4)]);
        var work = TestPaths.TempFolder();
        var prompts = Path.Combine(work, "prompts.txt");
        File.WriteAllLines(prompts, ["a sks star", "a red star"]);
        string[] sampling = ["--prompts", prompts, "--steps", "3", "--seed", "7", "--width", "32", "--height", "32", "--device", "cpu"];

        Assert.Equal(0, await CliApplication.RunAsync(["generate", "--model", model, "--output", Path.Combine(work, "plain"), .. sampling]));
        Assert.Equal(0, await CliApplication.RunAsync(["generate", "--model", model, "--lora", lora + ":0.8@sks", "--output", Path.Combine(work, "gated"), .. sampling]));
        Assert.Equal(0, await CliApplication.RunAsync(["generate", "--model", model, "--lora", lora + ":0.8", "--output", Path.Combine(work, "ungated"), .. sampling]));
        // Each prompt line starts where the one before ended: line i uses seed 7 + i.
        string Image(string folder, int index) => Path.Combine(work, folder, $"{index:00000}-{7 + index}.png");

        Assert.Equal(Pixels(Image("plain", 1)), Pixels(Image("gated", 1)));
        Assert.NotEqual(Pixels(Image("plain", 0)), Pixels(Image("gated", 0)));
        Assert.True(Pixels(Image("ungated", 0)).Zip(Pixels(Image("gated", 0)), (a, b) => Math.Abs(a - b)).Max() <= 1);

        var triggered = GenerationParameters.Parse(PngTextReader.Find(Image("gated", 0), "parameters")!).Extra.ToDictionary();
        Assert.Equal("subject: 0.8", triggered["Lora strengths"]);
        Assert.Equal("subject: sks", triggered["Lora gates"]);
        // The gated LoRA did not touch the other image, so its metadata does not name it.
        var other = GenerationParameters.Parse(PngTextReader.Find(Image("gated", 1), "parameters")!).Extra.ToDictionary();
        Assert.False(other.ContainsKey("Lora hashes"));
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Assert.Single(Directory.GetFiles(Path.Combine(work, "gated"), "*.json"))));
        var recorded = Assert.Single(manifest.RootElement.GetProperty("loras").EnumerateArray());
        Assert.True(recorded.GetProperty("gated").GetBoolean());
        Assert.Equal("sks", recorded.GetProperty("trigger").GetString());

        // merge-lora bakes a LoRA in for every prompt: a trigger there is an error.
        Assert.Equal(1, await CliApplication.RunAsync(["merge-lora", "--model", model, "--lora", lora + "@sks", "--output", Path.Combine(work, "merged"), "--device", "cpu"]));
    }

    [Fact]
    public async Task Damage_of_a_gated_lora_is_zero_on_the_general_prompts_and_records_the_trigger()
    {
        using var scratch = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers(seed: 4);
        var lora = WriteKohyaLora("star.safetensors", [(SelfAttentionQuery, 4), (AttentionOut, 4), (TextQuery, 4)]);
        var output = scratch.File("star.damage.json");

        Assert.Equal(0, await CliApplication.RunAsync(["damage", "--base", model, "--lora", lora + "@sks", "--concept-prompt", "a sks star",
            "--output", output, "--seeds", "1", "--timesteps", "200", "800", "--device", "cpu"]));

        var report = DamageReport.Read(output);
        Assert.Equal("sks", Assert.Single(report.Loras).Trigger);
        Assert.Equal(0, report.General.Total.MeanSquaredError);
        Assert.All(report.General.Blocks, b => Assert.Equal(0, b.Drift.MeanSquaredError));
        Assert.True(report.Concept!.Total.MeanSquaredError > 0);
    }

    static byte[] Pixels(string path)
    {
        using var image = ImageLoader.LoadRgb(path);
        return image.Bytes.ToArray();
    }
}
