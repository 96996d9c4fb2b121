using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Safetensors;

public class SafetensorsRoundTripTests
{
    public static TheoryData<ScalarType> Dtypes =>
    [
        ScalarType.Float64, ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16, ScalarType.Int64,
        ScalarType.Int32, ScalarType.Int16, ScalarType.Int8, ScalarType.Byte, ScalarType.Bool,
    ];

    [Theory]
    [MemberData(nameof(Dtypes))]
    public void Every_dtype_round_trips_bit_exactly(ScalarType dtype)
    {
        using var folder = new ScratchFolder();
        using var scope = NewDisposeScope();
        var path = folder.File("one.safetensors");
        var original = Sample(dtype, [3, 5, 2]);

        SafetensorsWriter.Save(path, [new("weight", original)]);
        using var file = SafetensorsFile.Open(path);
        var loaded = file.Load("weight");

        Assert.Equal(dtype, loaded.dtype);
        Assert.Equal(original.shape, loaded.shape);
        Assert.Equal(original.bytes.ToArray(), loaded.bytes.ToArray());
        Assert.Equal(SafetensorsDtype.NameOf(dtype), file.Entry("weight").Dtype);
    }

    [Fact]
    public void Scalars_empty_tensors_metadata_and_unicode_names_round_trip()
    {
        using var folder = new ScratchFolder();
        using var scope = NewDisposeScope();
        var path = folder.File("mixed.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["scalar"] = tensor(3.25f),
            ["empty"] = empty(0, ScalarType.Float32),
            ["empty.middle"] = empty([2, 0, 3], ScalarType.Int64),
            ["模型.权重"] = Sample(ScalarType.Float16, [4]),
            ["émoji 🎨 layer"] = Sample(ScalarType.Int8, [2, 2]),
            ["flag"] = tensor(true),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["描述"] = "训练于 2024, \"quoted\"\n", ["empty"] = "" };

        SafetensorsWriter.Save(path, tensors, metadata);
        using var file = SafetensorsFile.Open(path);

        Assert.Equal(metadata, file.Metadata);
        Assert.Equal(tensors.Keys.Order(), file.Names.Order());
        foreach (var (name, original) in tensors)
        {
            var loaded = file.Load(name);
            Assert.Equal(original.dtype, loaded.dtype);
            Assert.Equal(original.shape, loaded.shape);
            Assert.Equal(original.bytes.ToArray(), loaded.bytes.ToArray());
        }
        Assert.Equal(0, file.Load("scalar").dim());
        Assert.Equal(3.25f, file.Load("scalar").item<float>());
    }

    [Fact]
    public void Non_contiguous_and_file_without_tensors_round_trip()
    {
        using var folder = new ScratchFolder();
        using var scope = NewDisposeScope();
        var transposed = arange(12, ScalarType.Float32).reshape(3, 4).t();
        var path = folder.File("t.safetensors");
        var emptyPath = folder.File("nothing.safetensors");

        SafetensorsWriter.Save(path, [new("t", transposed)]);
        SafetensorsWriter.Save(emptyPath, [], new Dictionary<string, string> { ["only"] = "metadata" });

        using (var file = SafetensorsFile.Open(path))
            Assert.True(file.Load("t").eq(transposed).all().item<bool>());
        using (var file = SafetensorsFile.Open(emptyPath))
        {
            Assert.Empty(file.Entries);
            Assert.Equal("metadata", file.Metadata["only"]);
        }
    }

    [Fact]
    public void Rewriting_a_reference_fixture_keeps_every_tensor_and_the_metadata()
    {
        using var folder = new ScratchFolder();
        using var scope = NewDisposeScope();
        var copy = folder.File("copy.safetensors");
        using var original = SafetensorsFile.Open(TestPaths.Fixture("text_encoder", "model.safetensors"));

        SafetensorsWriter.Save(copy, original.LoadAll(), original.Metadata);
        using var rewritten = SafetensorsFile.Open(copy);

        Assert.Equal(original.Metadata, rewritten.Metadata);
        Assert.Equal(original.Names.Order(), rewritten.Names.Order());
        foreach (var entry in original.Entries)
            Assert.Equal(original.Load(entry).bytes.ToArray(), rewritten.Load(entry.Name).bytes.ToArray());
    }

    /// <summary>A tensor of <paramref name="dtype"/> with varied, sign-mixed values, built from a fixed seed.</summary>
    internal static Tensor Sample(ScalarType dtype, long[] shape)
    {
        var generator = new TorchSharp.torch.Generator(1234);
        var values = randn(shape, generator: generator) * 100;
        return dtype switch
        {
            ScalarType.Bool => values.gt(0),
            ScalarType.Byte => values.abs().fmod(256).to_type(dtype),
            ScalarType.Int8 => values.fmod(128).to_type(dtype),
            _ => values.to_type(dtype),
        };
    }
}
