using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Tests.Data;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Training.Engine;
using DiffusionTune.Training.Plugins;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Training;

/// <summary>The textual-inversion and hypernetwork plugins driven by the engine on the tiny random model.</summary>
public class TextualInversionAndHypernetworkTrainingTests
{
    static readonly PluginCatalog Plugins = PluginCatalog.Load([Path.Combine(AppContext.BaseDirectory, "plugins")]);

    static TrainResult Train(DataFolder data, string trainer, string model, double learningRate, Dictionary<string, string> options)
    {
        for (int i = 0; i < 2; i++) data.Image($"subject/{i}.png", seed: i);
        var output = Path.Combine(data.Path, "out");
        var job = new TrainJob
        {
            Trainer = trainer,
            Model = model,
            Images = Path.Combine(data.Path, "subject"),
            InstancePrompt = "a sks cat",
            ClassPrompt = "a cat",
            Resolution = 32,
            Engine = new EngineSettings { Steps = 4, SaveEvery = 2, LearningRate = learningRate, Seed = 7, SampleSteps = 2 },
            OutputFolder = output,
            OutputName = trainer,
            RunFolder = Path.Combine(output, "run"),
            Device = "cpu",
            TrainerOptions = options,
        };
        var result = new TrainingEngine(Plugins, _ => { }, _ => { }).Run(job, null, null, CancellationToken.None);
        Assert.True(result.Finished);
        return result;
    }

    /// <summary>Names of the model's weights that are not bit-identical to <paramref name="original"/>'s.</summary>
    static List<string> ChangedWeights(StableDiffusionModel trained, StableDiffusionModel original)
    {
        var changed = new List<string>();
        foreach (var (prefix, a, b) in new (string, nn.Module, nn.Module)[] { ("unet.", trained.Unet, original.Unet), ("vae.", trained.Vae, original.Vae), ("text.", trained.TextEncoder, original.TextEncoder) })
        {
            var before = b.state_dict();
            foreach (var (name, after) in a.state_dict())
            {
                if (!TensorAssert.Identical(before[name], after)) changed.Add(prefix + name);
            }
        }
        return changed;
    }

    [Fact]
    public void Textual_inversion_trains_only_the_new_words_vectors_and_saves_A1111_and_diffusers_files()
    {
        using var data = new DataFolder();
        var model = RandomTinyModel.SaveDiffusers();
        using var trained = Train(data, "textual-inversion", model, 5e-2, new() { ["vectors"] = "2", ["init_word"] = "cat" }).Model;
        using var original = StableDiffusionModel.Load(model);
        var output = Path.Combine(data.Path, "out");
        Assert.Equal(new[] { "learned_embeds-step000002.safetensors", "learned_embeds.safetensors", "sks-step000002.safetensors", "sks.safetensors" },
            Directory.GetFiles(output, "*.safetensors").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());

        // Everything but the two rows appended to the token-embedding table is bit-identical to the base model.
        int vocabulary = original.Tokenizer.VocabularySize;
        var table = trained.TextEncoder.TextModel.Embeddings.TokenEmbedding.weight!;
        var originalTable = original.TextEncoder.TextModel.Embeddings.TokenEmbedding.weight!;
        Assert.Equal(vocabulary + 2, table.shape[0]);
        Assert.True(TensorAssert.Identical(originalTable, table.narrow(0, 0, vocabulary)));
        var changed = ChangedWeights(trained, original);
        Assert.EndsWith("token_embedding.weight", Assert.Single(changed));
        Assert.True(TensorAssert.Identical(table, trained.TextEncoder.state_dict().Single(kv => kv.Key.EndsWith("token_embedding.weight")).Value), "state_dict does not hold the grown table");
        Assert.Equal(new[] { vocabulary, vocabulary + 1 }, trained.Tokenizer.Encode("sks"));

        using var a1111 = EmbeddingFile.Read(Path.Combine(output, "sks.safetensors"));
        Assert.Equal(("A1111", "sks", 2, 4L), (a1111.Format, a1111.Name, a1111.VectorCount, a1111.Step));
        Assert.True(TensorAssert.Identical(table.narrow(0, vocabulary, 2), a1111.Vectors));
        using var cat = originalTable.narrow(0, Tokenization.TinyClipTokenizerFolder.Cat, 1).expand(2, -1);
        Assert.False(TensorAssert.Identical(cat, a1111.Vectors), "the vectors never moved from the init word's");
        using (var file = SafetensorsFile.Open(Path.Combine(output, "sks.safetensors")))
        {
            Assert.Equal(new[] { "string_to_param.*" }, file.Names);
            Assert.Equal(("sks", "4"), (file.Metadata["name"], file.Metadata["step"]));
        }

        using var diffusers = EmbeddingFile.Read(Path.Combine(output, "learned_embeds.safetensors"));
        Assert.Equal(("diffusers", 2), (diffusers.Format, diffusers.VectorCount));
        Assert.True(TensorAssert.Identical(a1111.Vectors, diffusers.Vectors));
        using (var file = SafetensorsFile.Open(Path.Combine(output, "learned_embeds.safetensors")))
            Assert.Equal(new[] { "sks" }, file.Names);
        using var intermediate = EmbeddingFile.Read(Path.Combine(output, "sks-step000002.safetensors"));
        Assert.False(TensorAssert.Identical(intermediate.Vectors, a1111.Vectors));
    }

    [Fact]
    public void A_hypernetwork_trains_only_its_own_weights_and_saves_the_documented_keys()
    {
        using var data = new DataFolder();
        var model = RandomTinyModel.SaveDiffusers();
        using var trained = Train(data, "hypernetwork", model, 1e-3, new() { ["activation"] = "relu" }).Model;
        using var original = StableDiffusionModel.Load(model);
        var output = Path.Combine(data.Path, "out");

        Assert.Empty(ChangedWeights(trained, original));
        var path = Path.Combine(output, "hypernetwork.safetensors");
        using (var file = SafetensorsFile.Open(path))
        {
            var expected = new[] { 32, 64 }.SelectMany(w => new[] { "k", "v" }.SelectMany(side => new[]
            {
                ($"{w}.{side}.linear.0.weight", new long[] { 2 * w, w }), ($"{w}.{side}.linear.0.bias", new long[] { 2 * w }),
                ($"{w}.{side}.linear.2.weight", new long[] { w, 2 * w }), ($"{w}.{side}.linear.2.bias", new long[] { w }),
            })).OrderBy(e => e.Item1, StringComparer.Ordinal).ToArray();
            Assert.Equal(expected.Select(e => e.Item1), file.Names.Order(StringComparer.Ordinal));
            foreach (var (name, shape) in expected) Assert.Equal(shape, file.Entry(name).Shape);
            Assert.Equal(("[1,2,1]", "relu", "false", "[0,0,0]", "hypernetwork", "4"),
                (file.Metadata["layer_structure"], file.Metadata["activation_func"], file.Metadata["is_layer_norm"], file.Metadata["dropout_structure"], file.Metadata["name"], file.Metadata["step"]));
        }

        using var final = HypernetworkFile.Read(path);
        using var intermediate = HypernetworkFile.Read(Path.Combine(output, "hypernetwork-step000002.safetensors"));
        Assert.Equal(new[] { 32, 64 }, final.Modules.Keys.Order());
        Assert.Equal(("hypernetwork", 4L, "relu"), (final.Name, final.Step, final.Structure.Activation));
        Assert.Contains(final.Modules, pair => !TensorAssert.Identical(pair.Value.Key[0].Weight!, intermediate.Modules[pair.Key].Key[0].Weight!));
    }
}
