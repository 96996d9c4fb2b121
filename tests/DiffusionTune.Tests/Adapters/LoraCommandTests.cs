using DiffusionTune.Cli;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Images;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Tests.Pipelines;
using static DiffusionTune.Tests.Adapters.AdapterTestData;

namespace DiffusionTune.Tests.Adapters;

public class LoraCommandTests
{
    static readonly string[] Sampling = ["--prompt", "a red star", "--steps", "3", "--seed", "7", "--width", "32", "--height", "32", "--device", "cpu"];

    [Fact]
    public async Task Generate_with_a_lora_makes_the_image_the_merged_model_makes()
    {
        var model = RandomTinyModel.SaveDiffusers(seed: 5);
        var lora = WriteLora("detail.safetensors");
        var work = TestPaths.TempFolder();
        string Image(string folder) => Path.Combine(work, folder, "00000-7.png");

        Assert.Equal(0, await CliApplication.RunAsync(["generate", "--model", model, "--output", Path.Combine(work, "plain"), .. Sampling]));
        Assert.Equal(0, await CliApplication.RunAsync(["generate", "--model", model, "--lora", lora + ":0.8", "--output", Path.Combine(work, "lora"), .. Sampling]));
        var folder = Path.Combine(work, "merged");
        var single = Path.Combine(work, "merged.safetensors");
        Assert.Equal(0, await CliApplication.RunAsync(["merge-lora", "--model", model, "--lora", lora + ":0.8", "--output", folder, "--device", "cpu"]));
        Assert.Equal(0, await CliApplication.RunAsync(["merge-lora", "--model", model, "--lora", lora + ":0.8", "--output", single, "--device", "cpu"]));
        Assert.Equal(0, await CliApplication.RunAsync(["generate", "--model", folder, "--output", Path.Combine(work, "from-folder"), .. Sampling]));
        Assert.Equal(0, await CliApplication.RunAsync(["generate", "--model", single, "--output", Path.Combine(work, "from-file"), .. Sampling]));

        Assert.True(MaxPixelDifference(Image("plain"), Image("lora")) > 8, "the LoRA did not change the image");
        Assert.True(MaxPixelDifference(Image("lora"), Image("from-folder")) <= 1);
        Assert.True(MaxPixelDifference(Image("lora"), Image("from-file")) <= 1);

        var parameters = GenerationParameters.Parse(PngTextReader.Find(Image("lora"), "parameters")!);
        var hash = parameters.Extra.Single(e => e.Key == "Lora hashes").Value;
        Assert.Matches("^detail: [0-9a-f]{12}$", hash);
        Assert.Equal("detail: 0.8", parameters.Extra.Single(e => e.Key == "Lora strengths").Value);
        using var merged = SafetensorsFile.Open(single);
        Assert.Contains($"\"hash\":\"{hash["detail: ".Length..]}\"", merged.Metadata[ModelMetadata.MergedLoras]);
    }

    [Fact]
    public async Task Merge_lora_refuses_to_overwrite_and_bad_lora_arguments_are_one_line_errors()
    {
        var model = RandomTinyModel.SaveDiffusers(seed: 5);
        var lora = WriteLora("style.safetensors");
        var existing = TestPaths.TempFolder();
        Assert.Equal(1, await CliApplication.RunAsync(["merge-lora", "--model", model, "--lora", lora, "--output", existing, "--device", "cpu"]));
        var fresh = Path.Combine(TestPaths.TempFolder(), "out");
        Assert.Equal(1, await CliApplication.RunAsync(["merge-lora", "--model", model, "--output", fresh, "--device", "cpu"]));
        Assert.Equal(1, await CliApplication.RunAsync(["merge-lora", "--model", model, "--lora", lora + ":strong", "--output", fresh, "--device", "cpu"]));
        Assert.Equal(1, await CliApplication.RunAsync(["merge-lora", "--model", model, "--lora", lora + ".missing:0.5", "--output", fresh, "--device", "cpu"]));
        Assert.Equal(1, await CliApplication.RunAsync(["generate", "--model", model, "--lora", lora + ":NaN", "--output", fresh, .. Sampling]));
        Assert.False(Path.Exists(fresh));
    }

    [Fact]
    public async Task Merge_lora_never_writes_non_finite_weights_and_leaves_nothing_behind()
    {
        var model = RandomTinyModel.SaveDiffusers(seed: 5);
        var lora = WriteLora("style.safetensors");
        Dictionary<string, TorchSharp.torch.Tensor> tensors;
        using (var file = SafetensorsFile.Open(lora)) tensors = file.LoadAll();
        tensors[tensors.Keys.First(k => k.EndsWith(".alpha", StringComparison.Ordinal))] = TorchSharp.torch.tensor(float.NaN);
        var nanAlpha = Path.Combine(TestPaths.TempFolder(), "nan-alpha.safetensors");
        SafetensorsWriter.Save(nanAlpha, tensors);

        var work = TestPaths.TempFolder();
        foreach (var output in new[] { Path.Combine(work, "folder"), Path.Combine(work, "single.safetensors") })
        {
            // A NaN in the file is refused where it is read; finite factors at a strength float32 cannot hold, where they are merged.
            Assert.Equal(1, await CliApplication.RunAsync(["merge-lora", "--model", model, "--lora", nanAlpha, "--output", output, "--device", "cpu"]));
            Assert.Equal(1, await CliApplication.RunAsync(["merge-lora", "--model", model, "--lora", lora + ":1e300", "--output", output, "--device", "cpu"]));
        }
        Assert.Empty(Directory.GetFileSystemEntries(work));
    }

    [Fact]
    public void The_last_check_before_a_merged_model_is_written_names_the_component_the_tensor_and_the_count()
    {
        using var model = RandomTinyModel.Create();
        FiniteWeights.Require(model, "nothing written");
        using (TorchSharp.torch.no_grad())
            model.Vae.state_dict()["decoder.conv_out.bias"][1] = float.PositiveInfinity;
        var error = Assert.Throws<InvalidDataException>(() => FiniteWeights.Require(model, "merge-lora wrote nothing to out.safetensors"));
        Assert.Equal("merge-lora wrote nothing to out.safetensors: vae tensor 'decoder.conv_out.bias' has 1 non-finite value (NaN/Inf)", error.Message);
    }

    [Fact]
    public async Task Evaluate_applies_a_lora_to_the_model_only_and_records_it()
    {
        var model = RandomTinyModel.SaveDiffusers(seed: 5);
        var lora = WriteLora("subject.safetensors");
        var work = TestPaths.TempFolder();
        var prompts = Path.Combine(work, "prompts.txt");
        File.WriteAllLines(prompts, ["a red star on a striped blue background"]);

        Assert.Equal(0, await CliApplication.RunAsync(["evaluate", "--model", model, "--lora", lora + ":2", "--reference", model,
            "--prompts", prompts, "--seeds", "2", "--steps", "2", "--output", work, "--device", "cpu"]));

        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Assert.Single(Directory.GetFiles(work, "evaluation-*.json"))));
        var root = report.RootElement;
        Assert.Equal(lora + ":2", Assert.Single(root.GetProperty("adapters").GetProperty("loras").EnumerateArray()).GetString());
        // Same seeds, same base: only the LoRA can make the model's images differ from the reference's.
        Assert.True(root.GetProperty("drift").GetProperty("frechet_distance").GetDouble() > 1e-3);
    }

    /// <summary>A kohya LoRA (fp16, as sd-scripts saves them) for the tiny model: attention, LoCon and text-encoder layers.</summary>
    static string WriteLora(string name) => WriteKohyaLora(name,
        [(SelfAttentionQuery, 4), (CrossAttentionKey, 4), (AttentionOut, 4), (ResnetConv, 4), (TextQuery, 4)]);

    static int MaxPixelDifference(string first, string second)
    {
        using var a = ImageLoader.LoadRgb(first);
        using var b = ImageLoader.LoadRgb(second);
        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        return a.Bytes.Zip(b.Bytes, (x, y) => Math.Abs(x - y)).Max();
    }
}
