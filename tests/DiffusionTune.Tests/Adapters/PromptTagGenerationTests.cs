using DiffusionTune.Cli;
using DiffusionTune.IO.Images;
using DiffusionTune.Tests.Cli;
using DiffusionTune.Tests.Pipelines;
using static DiffusionTune.Tests.Adapters.AdapterTestData;

namespace DiffusionTune.Tests.Adapters;

/// <summary><c>generate</c> with A1111's <c>&lt;lora:…&gt;</c> and <c>&lt;hypernet:…&gt;</c> prompt tags, per prompt of one batch file.</summary>
public class PromptTagGenerationTests
{
    static readonly string[] Sampling = ["--steps", "3", "--width", "32", "--height", "32", "--device", "cpu"];

    [Fact]
    public async Task Each_prompt_gets_the_networks_its_tags_name_and_its_infotext_keeps_the_tags()
    {
        using var scratch = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers(seed: 5);
        var loras = Directory.CreateDirectory(scratch.File("loras")).FullName;
        var lora = Path.Combine(loras, "detail.safetensors");
        File.Copy(WriteKohyaLora("detail.safetensors", [(SelfAttentionQuery, 4), (CrossAttentionKey, 4), (ResnetConv, 4), (TextQuery, 4)]), lora);
        var hypernetwork = Path.Combine(loras, "painterly.safetensors");
        HypernetworkTestData.Write(hypernetwork, HypernetworkTestData.Tensors(0.5, seed: 3, 32, 64)).Dispose();
        var prompts = scratch.File("prompts.jsonl");
        string[] lines =
        [
            "a red star <lora:detail:0.8>",
            "a red star",
            "a red star <lora:DETAIL:te=0.8:unet=0.8>",
            "a red star <lora:detail:0:0>",
            "a red star <hypernet:painterly:0.5>",
            "a red star <lora:detail:0.8:0>",
        ];
        File.WriteAllLines(prompts, lines.Select(line => $$"""{"prompt": "{{line}}", "seed": 7}"""));

        var tagged = scratch.File("tagged");
        Assert.Equal(0, await CliApplication.RunAsync(["generate", "--model", model, "--prompts", prompts, "--lora-dir", loras, "--output", tagged, .. Sampling]));
        Assert.Equal(0, await CliApplication.RunAsync(["generate", "--model", model, "--prompt", "a red star", "--seed", "7", "--lora", lora + ":0.8", "--output", scratch.File("flag"), .. Sampling]));
        Assert.Equal(0, await CliApplication.RunAsync(["generate", "--model", model, "--prompt", "a red star", "--seed", "7", "--hypernetwork", hypernetwork + ":0.5", "--output", scratch.File("hn"), .. Sampling]));

        var byPrompt = Directory.GetFiles(tagged, "*.png").ToDictionary(path => Parameters(path).Prompt);
        Assert.Equal(lines.Order(), byPrompt.Keys.Order());
        var withFlag = Single(scratch.File("flag"));
        // The tag merges exactly what --lora merges; its name and case as written, 0 multipliers nothing at all.
        Assert.Equal(Pixels(withFlag), Pixels(byPrompt[lines[0]]));
        Assert.Equal(Pixels(withFlag), Pixels(byPrompt[lines[2]]));
        Assert.Equal(Pixels(byPrompt[lines[1]]), Pixels(byPrompt[lines[3]]));
        Assert.Equal(Pixels(Single(scratch.File("hn"))), Pixels(byPrompt[lines[4]]));
        Assert.NotEqual(Pixels(byPrompt[lines[1]]), Pixels(byPrompt[lines[0]]));
        // A UNet multiplier of 0 leaves only the text-encoder half: neither the plain image nor the full LoRA's.
        Assert.NotEqual(Pixels(byPrompt[lines[1]]), Pixels(byPrompt[lines[5]]));
        Assert.NotEqual(Pixels(withFlag), Pixels(byPrompt[lines[5]]));

        var hash = Value(withFlag, "Lora hashes")["detail: ".Length..];
        Assert.Equal($"detail: {hash}", Value(byPrompt[lines[0]], "Lora hashes"));
        Assert.Equal($"DETAIL: {hash}", Value(byPrompt[lines[2]], "Lora hashes"));
        Assert.DoesNotContain(Parameters(byPrompt[lines[1]]).Extra, e => e.Key == "Lora hashes");
        Assert.Equal("painterly", Value(byPrompt[lines[4]], "Hypernet"));
        // The infotext reads back to the prompt as written, tags included, as A1111 keeps them.
        var text = PngTextReader.Find(byPrompt[lines[0]], "parameters")!;
        Assert.Contains("\"detail: " + hash + "\"", text);
        Assert.Equal(lines[0], GenerationParameters.Parse(text).Prompt);
    }

    [Fact]
    public void A_tag_that_names_no_file_is_one_warning_naming_the_tag_and_the_folders_and_the_images_are_still_made()
    {
        using var scratch = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers(seed: 5);
        var loras = Directory.CreateDirectory(scratch.File("loras")).FullName;
        File.WriteAllLines(scratch.File("missing.txt"), ["a red star <lora:missing:0.7>", "a blue circle <lora:missing:0.7>"]);
        File.WriteAllLines(scratch.File("malformed.txt"), ["a red star", "a cross <lora:bad:x>"]);

        var missing = CliProcess.Run(["generate", "--model", model, "--prompts", "missing.txt", "--seed", "1", "--lora-dir", loras, "--output", "out", .. Sampling],
            scratch.Path, TimeSpan.FromMinutes(5));
        var malformed = CliProcess.Run(["generate", "--model", model, "--prompts", "malformed.txt", "--seed", "1", "--lora-dir", loras, "--output", "bad", .. Sampling],
            scratch.Path, TimeSpan.FromMinutes(5));

        Assert.False(missing.Failed, missing.Tail(20));
        var warning = Assert.Single(missing.Output.Replace("\r", "").Replace("\n", "").Split("warning:").Skip(1));
        Assert.Contains("prompt tag <lora:missing:0.7>: no .safetensors file of that name in " + loras, warning);
        Assert.Equal(2, Directory.GetFiles(scratch.File("out"), "*.png").Length);
        Assert.Equal(1, malformed.ExitCode);
        Assert.Contains("error: prompt tag <lora:bad:x>: 'x' is not a multiplier", malformed.Output);
        Assert.False(Directory.Exists(scratch.File("bad")));
    }

    static GenerationParameters Parameters(string image) => GenerationParameters.Parse(PngTextReader.Find(image, "parameters")!);

    static string Value(string image, string key) => Parameters(image).Extra.Single(e => e.Key == key).Value;

    static string Single(string folder) => Assert.Single(Directory.GetFiles(folder, "*.png"));

    static byte[] Pixels(string image)
    {
        using var bitmap = ImageLoader.LoadRgb(image);
        return bitmap.Bytes;
    }
}
