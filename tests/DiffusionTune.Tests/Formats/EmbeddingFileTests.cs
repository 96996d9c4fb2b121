using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Safetensors;
using static DiffusionTune.Tests.Formats.TorchSaveTestData;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Formats;

/// <summary>Textual-inversion files of every dialect, as .safetensors and as torch.save .pt.</summary>
public class EmbeddingFileTests
{
    [Theory]
    [InlineData("string_to_param.*", "A1111")]
    [InlineData("emb_params", "kohya")]
    [InlineData("emp_params", "OneTrainer")]
    [InlineData("<cat-toy>", "diffusers")]
    public void Safetensors_embeddings_of_each_dialect_read_as_their_vectors_named_after_the_file(string key, string format)
    {
        using var scratch = new ScratchFolder();
        using var vectors = randn(3, 32);
        var path = scratch.File("star-token.safetensors");
        SafetensorsWriter.Save(path, [new(key, vectors)], new Dictionary<string, string> { ["step"] = "40" });

        using var embedding = EmbeddingFile.Read(path);
        Assert.Equal(format, embedding.Format);
        Assert.Equal("star-token", embedding.Name);
        Assert.Equal((3, 32), (embedding.VectorCount, embedding.Width));
        Assert.Equal(40L, embedding.Step);
        Assert.True(TensorAssert.Identical(vectors, embedding.Vectors));
        Assert.Matches("^[0-9a-f]{12}$", embedding.ShortHash);
    }

    [Fact]
    public void A1111_pt_embeddings_read_like_their_safetensors_form_and_a_single_vector_may_be_one_dimensional()
    {
        using var scratch = new ScratchFolder();
        var values = Values(64, seed: 9);
        using var pt = EmbeddingFile.Read(TorchSaveWriter.Save(scratch.File("tiny-emb.pt"), A1111Embedding(values, width: 32)));
        Assert.Equal(("A1111", 2, 12L), (pt.Format, pt.VectorCount, pt.Step));
        Assert.True(TensorAssert.Identical(tensor(values).reshape(2, 32), pt.Vectors));

        var flat = scratch.File("one.safetensors");
        using var row = tensor(values[..32]);
        SafetensorsWriter.Save(flat, [new("<one>", row)]);
        using var single = EmbeddingFile.Read(flat);
        Assert.Equal((1, 32), (single.VectorCount, single.Width));
    }

    [Fact]
    public void Files_that_are_not_SD1_or_SD2_embeddings_are_refused_saying_why()
    {
        using var scratch = new ScratchFolder();
        string Refusal(string name, params (string Key, Tensor Value)[] tensors)
        {
            var path = scratch.File(name);
            SafetensorsWriter.Save(path, tensors.Select(t => new KeyValuePair<string, Tensor>(t.Key, t.Value)));
            return Assert.Throws<ModelFileException>(() => EmbeddingFile.Read(path)).Problem;
        }

        Assert.Contains("SDXL embedding", Refusal("xl.safetensors", ("clip_l", zeros(2, 768)), ("clip_g", zeros(2, 1280))));
        Assert.Contains("2 terms in string_to_param", Refusal("two.safetensors", ("string_to_param.*", zeros(1, 32)), ("string_to_param.x", zeros(1, 32))));
        Assert.Contains("not a textual-inversion embedding of a known format", Refusal("lora.safetensors", ("a.weight", zeros(2, 2)), ("b.weight", zeros(2, 2))));
        Assert.Contains("an embedding is [vectors (1 to 75), width]", Refusal("long.safetensors", ("emb_params", zeros(76, 32))));
        Assert.Contains("not floating-point vectors", Refusal("ints.safetensors", ("emb_params", zeros(new long[] { 2, 32 }, ScalarType.Int32))));
    }

    [Fact]
    public void An_embedding_holding_nan_or_inf_is_refused_naming_the_file_the_tensor_and_the_count()
    {
        using var scratch = new ScratchFolder();
        var values = Values(64, seed: 3);
        values[5] = float.NaN;
        values[40] = float.PositiveInfinity;
        var pt = TorchSaveWriter.Save(scratch.File("broken.pt"), A1111Embedding(values, width: 32));
        Assert.Equal($"{pt}: tensor 'string_to_param.*' has 2 non-finite values (NaN/Inf)",
            Assert.Throws<ModelFileException>(() => EmbeddingFile.Read(pt)).Message);

        var safetensors = scratch.File("broken.safetensors");
        using var vectors = tensor(values).reshape(2, 32);
        SafetensorsWriter.Save(safetensors, [new("emb_params", vectors)]);
        Assert.Equal($"{safetensors}: tensor 'emb_params' has 2 non-finite values (NaN/Inf)",
            Assert.Throws<ModelFileException>(() => EmbeddingFile.Read(safetensors)).Message);
    }
}
