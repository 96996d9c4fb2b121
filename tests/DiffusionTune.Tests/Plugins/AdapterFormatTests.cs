using DiffusionTune.Cli;
using DiffusionTune.Contracts;
using DiffusionTune.IO.Images;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Tests.Cli;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Training.Plugins;
using DiffusionTune.Workflows.Training;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Plugins;

/// <summary>
/// A plugin's own adapter format (<see cref="IAdapterFormat"/>): the bias-delta test plugin trains and saves a small
/// adapter file, <c>generate --adapter</c> applies it through the plugin, and the application undoes bit-exactly.
/// </summary>
public class AdapterFormatTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>A plugin root holding the bias-delta plugin, under <paramref name="scratch"/>.</summary>
    static string PluginRoot(ScratchFolder scratch)
    {
        var root = scratch.File("plugs");
        PluginCatalogTests.CopyPlugin(Path.Combine(AppContext.BaseDirectory, "test-plugins", "BiasDeltaTrainer"), Path.Combine(root, "BiasDeltaTrainer"), skip: null);
        return root;
    }

    /// <summary>
    /// Trains the bias-delta plugin for one step with the CLI and returns the adapter file it saved, after checking that
    /// the run measured it (damage report) and says how to generate with it.
    /// </summary>
    static string TrainAdapter(ScratchFolder scratch, string root, string model)
    {
        var output = scratch.File("trained");
        var result = CliProcess.Run(["train", "--trainer", "bias-delta", "--plugins-folder", root, "--model", model, "--images", QuickStart.SampleImages,
            "--steps", "1", "--learning-rate", "0.01", "--sample-steps", "1", "--output", output, "--device", "cpu"], scratch.Path, Timeout);
        Assert.False(result.Failed, result.Tail(20));
        var adapter = Assert.Single(Directory.GetFiles(output, "*.safetensors"));
        Assert.Single(Directory.GetFiles(output, "*.damage.json"));
        Assert.Contains(result.Lines, line => line.Contains("diffusiontune generate", StringComparison.Ordinal)
            && line.Contains($"--adapter {Path.GetRelativePath(scratch.Path, adapter)} --plugins-folder {Path.GetRelativePath(scratch.Path, root)}", StringComparison.Ordinal));
        return adapter;
    }

    [Fact]
    public async Task A_trained_bias_delta_is_a_small_adapter_file_that_generate_applies_through_its_plugin()
    {
        using var scratch = new ScratchFolder();
        var root = PluginRoot(scratch);
        var model = RandomTinyModel.SaveDiffusers();
        var adapter = TrainAdapter(scratch, root, model);

        using (var file = SafetensorsFile.Open(adapter))
            Assert.Equal("test.bias-delta", file.Metadata[IAdapterFormat.MetadataKey]);
        // Biases only: a small fraction of the UNet the whole-model save would have written.
        var unetBytes = new FileInfo(Path.Combine(model, "unet", "diffusion_pytorch_model.safetensors")).Length;
        Assert.True(new FileInfo(adapter).Length * 10 < unetBytes, $"{new FileInfo(adapter).Length} bytes of adapter, {unetBytes} of UNet");

        string[] args = ["generate", "--model", model, "--prompt", "a red circle", "--steps", "2", "--width", "16", "--height", "16", "--seed", "7",
            "--device", "cpu", "--plugins-folder", root];
        async Task<string> Generate(string name, params string[] extra)
        {
            var output = scratch.File(name);
            Assert.Equal(0, await CliApplication.RunAsync([.. args, .. extra, "--output", output]));
            return Assert.Single(Directory.GetFiles(output, "*.png"));
        }
        var baseImage = await Generate("base");
        var adapted = await Generate("adapted", "--adapter", adapter);
        var strengthZero = await Generate("zero", "--adapter", adapter + ":0");

        Assert.Equal(Pixels(baseImage), Pixels(strengthZero));
        Assert.NotEqual(Pixels(baseImage), Pixels(adapted));
        var parameters = GenerationParameters.Parse(PngTextReader.Find(adapted, "parameters")!);
        Assert.Contains(parameters.Extra, e => e.Key == "Adapters" && e.Value == $"{Path.GetFileNameWithoutExtension(adapter)} (test.bias-delta) 1");
    }

    static byte[] Pixels(string png)
    {
        using var bitmap = ImageLoader.LoadRgb(png);
        return bitmap.Bytes;
    }

    [Fact]
    public void Applying_adds_the_deltas_and_undoing_restores_every_weight_bit_exactly()
    {
        using var scratch = new ScratchFolder();
        var format = Assert.Single(PluginCatalog.Load([PluginRoot(scratch)]).AdapterFormats);
        Assert.Equal("test.bias-delta", format.Name);
        using var model = RandomTinyModel.Create();
        var before = model.Unet.named_parameters().Concat(model.TextEncoder.named_parameters()).ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var biasName = model.Unet.named_parameters().First(p => p.name.EndsWith(".bias", StringComparison.Ordinal)).name;
        using var delta = randn_like(before[biasName]);
        var tensors = new Dictionary<string, Tensor> { ["unet." + biasName] = delta };

        using (format.Format.Apply(model.Unet, model.TextEncoder, tensors, new Dictionary<string, string>(), 0.5))
        {
            var changed = model.Unet.named_parameters().Where(p => !TensorAssert.Identical(p.parameter, before[p.name])).Select(p => p.name).ToList();
            Assert.Equal([biasName], changed);
            Assert.True(TensorAssert.Identical(before[biasName] + 0.5 * delta, model.Unet.named_parameters().Single(p => p.name == biasName).parameter));
        }

        Assert.All(model.Unet.named_parameters().Concat(model.TextEncoder.named_parameters()),
            p => Assert.True(TensorAssert.Identical(before[p.name], p.parameter), p.name));
    }

    [Fact]
    public void An_adapter_file_of_a_format_no_plugin_provides_is_refused_in_one_line_naming_the_file_and_theinstalled_formats_that_plugins_list_shows()
    {
        using var scratch = new ScratchFolder();
        var root = PluginRoot(scratch);
        var unknown = scratch.File("ia3.safetensors");
        using (var vector = ones(4)) SafetensorsWriter.Save(unknown, [new("unet.scale", vector)], new Dictionary<string, string> { [IAdapterFormat.MetadataKey] = "acme.ia3" });

        var result = CliProcess.Run(["generate", "--model", RandomTinyModel.SaveDiffusers(), "--prompt", "a circle", "--steps", "1", "--width", "16", "--height", "16",
            "--device", "cpu", "--plugins-folder", root, "--adapter", unknown, "--output", scratch.File("out")], scratch.Path, Timeout);

        Assert.Equal(1, result.ExitCode);
        Assert.False(result.Crashed, result.Tail(20));
        var error = Assert.Single(result.Lines, line => line.StartsWith("error:", StringComparison.Ordinal));
        Assert.Equal($"error: {unknown}: adapter format 'acme.ia3' is not provided by any installed plugin (installed formats: test.bias-delta)", error);
        Assert.DoesNotContain("   at ", result.Output);
        // A file naming no format at all (a LoRA given to --adapter, say) is refused before any plugin is asked.
        var unnamed = scratch.File("plain.safetensors");
        using (var vector = ones(4)) SafetensorsWriter.Save(unnamed, [new("unet.scale", vector)]);
        var plain = CliProcess.Run(["generate", "--model", RandomTinyModel.SaveDiffusers(), "--prompt", "a circle", "--steps", "1", "--width", "16", "--height", "16",
            "--device", "cpu", "--plugins-folder", root, "--adapter", unnamed, "--output", scratch.File("out")], scratch.Path, Timeout);
        Assert.Equal(1, plain.ExitCode);
        Assert.Contains($"error: {unnamed}: names no adapter format (metadata key '{IAdapterFormat.MetadataKey}')", plain.Unwrapped);

        var list = CliProcess.Run(["plugins", "list", "--plugins-folder", root], scratch.Path, Timeout);
        Assert.Contains($"adapter format test.bias-delta (generate --adapter) from: {Path.Combine(root, "BiasDeltaTrainer")}", list.Unwrapped);
    }
}
