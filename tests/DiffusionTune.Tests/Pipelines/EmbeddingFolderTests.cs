using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Tests.Formats;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Pipelines;

/// <summary>A folder of embeddings registered with a model, as <c>generate --embeddings</c> and A1111 do it.</summary>
public class EmbeddingFolderTests
{
    [Fact]
    public void Every_usable_embedding_in_the_folder_becomes_a_word_that_encodes_as_its_vectors()
    {
        using var scratch = new ScratchFolder();
        using var sks = randn(2, 32);
        SafetensorsWriter.Save(scratch.File("sks.safetensors"), [new("string_to_param.*", sks)]);
        Directory.CreateDirectory(scratch.File("sub"));
        var toyValues = TorchSaveTestData.Values(32, seed: 5);
        TorchSaveWriter.Save(scratch.File("sub/toy.pt"), TorchSaveTestData.A1111Embedding(toyValues, width: 32));
        SafetensorsWriter.Save(scratch.File("wide.safetensors"), [new("emb_params", zeros(1, 64))]);
        TorchSaveWriter.WriteArchive(scratch.File("evil.pt"), new PickleWriter().Protocol().Global("os", "system").Str("x").Tuple(1).Reduce().Stop().ToArray(), []);
        File.WriteAllBytes(scratch.File("placeholder.pt"), []);
        File.WriteAllText(scratch.File("notes.txt"), "not an embedding");

        // Two loads of one saved model, so both have the same weights whatever other tests do with torch's generator.
        var saved = RandomTinyModel.SaveDiffusers();
        using var model = StableDiffusionModel.Load(saved);
        int vocabulary = model.Tokenizer.VocabularySize;
        var report = EmbeddingFolder.LoadInto(model, scratch.Path);

        Assert.Equal(new[] { "sks", "toy" }, report.Loaded.Select(e => e.Name));
        Assert.Equal(new[] { 2, 1 }, report.Loaded.Select(e => e.VectorCount));
        Assert.Equal(new[] { "A1111", "A1111" }, report.Loaded.Select(e => e.Format));
        Assert.Equal(2, report.Skipped.Count);
        Assert.Contains("'os.system'", report.Skipped.Single(s => s.FilePath.EndsWith("evil.pt")).Reason);
        Assert.Contains("64 wide but this model's text encoder is 32 wide", report.Skipped.Single(s => s.FilePath.EndsWith("wide.safetensors")).Reason);

        var table = model.TextEncoder.TextModel.Embeddings.TokenEmbedding.weight!;
        Assert.True(TensorAssert.Identical(sks, table.narrow(0, vocabulary, 2)));
        Assert.True(TensorAssert.Identical(tensor(toyValues).reshape(1, 32), table.narrow(0, vocabulary + 2, 1)));

        // The same vectors added by hand, as tokens the prompt names one by one, give the same conditioning.
        using var manual = StableDiffusionModel.Load(saved);
        manual.AddTokens(["vecone", "vectwo"], sks);
        using var plain = Encode(model, "a cat");
        using var withWord = Encode(model, "a sks cat");
        using var byHand = Encode(manual, "a vecone vectwo cat");
        Assert.False(TensorAssert.Identical(plain, withWord));
        Assert.True(TensorAssert.Identical(byHand, withWord));
    }

    static Tensor Encode(StableDiffusionModel model, string prompt)
    {
        using var _ = no_grad();
        return new PromptEncoder(model.Tokenizer, model.TextEncoder).Encode([prompt]);
    }

    [Fact]
    public void A_second_file_with_the_same_trigger_word_is_skipped()
    {
        using var scratch = new ScratchFolder();
        SafetensorsWriter.Save(scratch.File("star.safetensors"), [new("emb_params", zeros(1, 32))]);
        Directory.CreateDirectory(scratch.File("more"));
        SafetensorsWriter.Save(scratch.File("more/star.safetensors"), [new("emb_params", ones(1, 32))]);

        using var model = RandomTinyModel.Create();
        var report = EmbeddingFolder.LoadInto(model, scratch.Path);
        Assert.Single(report.Loaded);
        Assert.Contains("already taken", Assert.Single(report.Skipped).Reason);
    }

    [Fact]
    public void A_broken_embedding_is_skipped_in_a_folder_but_is_an_error_when_it_is_the_one_file_given()
    {
        using var scratch = new ScratchFolder();
        using var vectors = randn(1, 32);
        vectors[0, 3] = float.NaN;
        var broken = scratch.File("broken.safetensors");
        SafetensorsWriter.Save(broken, [new("emb_params", vectors)]);
        SafetensorsWriter.Save(scratch.File("fine.safetensors"), [new("emb_params", zeros(1, 32))]);
        var problem = "tensor 'emb_params' has 1 non-finite value (NaN/Inf)";

        using var model = RandomTinyModel.Create();
        var report = EmbeddingFolder.LoadInto(model, scratch.Path);
        Assert.Equal("fine", Assert.Single(report.Loaded).Name);
        Assert.Equal(new SkippedEmbedding(broken, problem), Assert.Single(report.Skipped));

        using var other = RandomTinyModel.Create();
        var error = Assert.Throws<ModelFileException>(() => EmbeddingFolder.LoadInto(other, broken));
        Assert.Equal($"{broken}: {problem}", error.Message);
    }
}
