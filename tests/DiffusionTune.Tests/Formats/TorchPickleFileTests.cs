using DiffusionTune.IO.Formats;
using static DiffusionTune.Tests.Formats.TorchSaveTestData;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Formats;

/// <summary>Valid torch.save files, written as PyTorch writes them, read by the restricted reader.</summary>
public class TorchPickleFileTests
{
    [Fact]
    public void An_A1111_embedding_pt_reads_as_plain_values_and_a_tensor()
    {
        using var scratch = new ScratchFolder();
        var values = Values(64, seed: 3);
        var path = TorchSaveWriter.Save(scratch.File("tiny-emb.pt"), A1111Embedding(values, width: 32));

        using var file = TorchPickleFile.Open(path);
        var root = Assert.IsType<PickleDict>(file.Root);
        Assert.Equal(new object[] { "string_to_token", "string_to_param", "name", "step", "sd_checkpoint", "sd_checkpoint_name" }, root.Keys);
        Assert.True(root.TryGetValue("step", out var step));
        Assert.Equal(12L, step);
        Assert.True(root.TryGetValue("string_to_token", out var tokens));
        Assert.True(((PickleDict)tokens!).TryGetValue("*", out var token));
        Assert.Equal(265L, token);
        Assert.True(root.TryGetValue("string_to_param", out var parameters));
        Assert.True(((PickleDict)parameters!).TryGetValue("*", out var stored));
        var vectors = Assert.IsType<PickleTensor>(stored);
        Assert.Equal(new long[] { 2, 32 }, vectors.Shape);
        Assert.Equal(ScalarType.Float32, vectors.ElementType);
        using var loaded = file.Load(vectors, "string_to_param.*");
        using var expected = tensor(values).reshape(2, 32);
        Assert.True(TensorAssert.Identical(expected, loaded));
    }

    [Fact]
    public void Views_transposes_half_storages_and_shared_storages_load_as_torch_would_rebuild_them()
    {
        using var scratch = new ScratchFolder();
        var five = Enumerable.Range(0, 160).Select(i => i / 10f).ToArray();
        var pairs = Enumerable.Range(0, 64).Select(i => i / 10f).ToArray();
        var path = TorchSaveWriter.Save(scratch.File("views.pt"), new PyDict
        {
            // b[1:3] of a [5, 32] tensor: offset 32 into a storage of 160.
            { "rows", new TorchTensor(five, [2, 32]) { Offset = 32 } },
            // x.reshape(32, 2).t(): shape [2, 32], strides [1, 2].
            { "transposed", new TorchTensor(pairs, [2, 32]) { Strides = [1, 2] } },
            { "half", new TorchTensor([.. pairs], [64]) { StorageType = "HalfStorage" } },
            { "same_storage", new TorchTensor(five, [160]) },
        });

        using var file = TorchPickleFile.Open(path);
        var root = (PickleDict)file.Root!;
        PickleTensor Get(string key) => root.TryGetValue(key, out var value) ? (PickleTensor)value! : throw new KeyNotFoundException(key);
        Tensor Load(string key) => file.Load(Get(key), key);

        using var full = tensor(five);
        using var rows = Load("rows");
        Assert.True(TensorAssert.Identical(full.reshape(5, 32).narrow(0, 1, 2), rows));
        using var transposed = Load("transposed");
        Assert.True(TensorAssert.Identical(tensor(pairs).reshape(32, 2).t().contiguous(), transposed));
        using var half = Load("half");
        Assert.Equal(ScalarType.Float16, half.dtype);
        Assert.True(TensorAssert.Identical(tensor(pairs).to(ScalarType.Float16), half));
        using var same = Load("same_storage");
        Assert.True(TensorAssert.Identical(full, same));
        Assert.Same(Get("rows").Storage, Get("same_storage").Storage);
    }

    [Fact]
    public void An_old_parameter_dict_embedding_reads_through_its_module_state()
    {
        using var scratch = new ScratchFolder();
        var values = Values(32, seed: 4);
        var path = TorchSaveWriter.Save(scratch.File("old.pt"), ParameterDictEmbedding(values, width: 32));

        using var file = TorchPickleFile.Open(path);
        var root = (PickleDict)file.Root!;
        Assert.True(root.TryGetValue("string_to_param", out var module));
        var parameterDict = Assert.IsType<PickleObject>(module);
        Assert.Equal("torch.nn.modules.container.ParameterDict", parameterDict.Type.FullName);
        Assert.True(((PickleDict)parameterDict.State!).TryGetValue("_parameters", out var parameters));
        Assert.True(((PickleDict)parameters!).TryGetValue("*", out var parameter));
        Assert.True(Assert.IsType<PickleTensor>(parameter).IsParameter);

        using var embedding = EmbeddingFile.Read(path);
        Assert.Equal("old", embedding.Name);
        Assert.Equal(1, embedding.VectorCount);
        Assert.Equal(3L, embedding.Step);
        Assert.True(TensorAssert.Identical(tensor(values).reshape(1, 32), embedding.Vectors));
    }
}
