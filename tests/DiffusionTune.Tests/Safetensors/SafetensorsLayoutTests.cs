using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Safetensors;

public class SafetensorsLayoutTests
{
    [Fact]
    public void Bytes_are_length_prefix_json_header_then_raw_little_endian_data()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("attn.safetensors");
        using var values = tensor(new float[] { 0, 1, 2, 3, 4, 5 }).reshape(1, 2, 3);

        SafetensorsWriter.Save(path, [new("attn.0", values)]);

        // 64 bytes of JSON: already a multiple of 8, so no padding.
        const string json = """{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}""";
        byte[] expected = [.. LittleEndian(64), .. Encoding.UTF8.GetBytes(json), .. FloatBytes(0, 1, 2, 3, 4, 5)];
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void The_header_is_padded_with_spaces_so_data_starts_8_byte_aligned()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("attn.safetensors");
        using var values = tensor(new float[] { 0, 1, 2, 3, 4, 5 }).reshape(1, 1, 2, 3);

        SafetensorsWriter.Save(path, [new("attn0", values)]);

        const string json = """{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}""";
        byte[] expected = [.. LittleEndian(72), .. Encoding.UTF8.GetBytes(json + "       "), .. FloatBytes(0, 1, 2, 3, 4, 5)];
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void Files_without_tensors_match_the_reference_writer()
    {
        using var folder = new ScratchFolder();
        var bare = folder.File("bare.safetensors");
        var withMetadata = folder.File("meta.safetensors");

        SafetensorsWriter.Save(bare, []);
        SafetensorsWriter.Save(withMetadata, [], new Dictionary<string, string> { ["framework"] = "pt" });

        Assert.Equal([.. LittleEndian(8), .. "{}      "u8.ToArray()], File.ReadAllBytes(bare));
        Assert.Equal([.. LittleEndian(40), .. """{"__metadata__":{"framework":"pt"}}     """u8.ToArray()], File.ReadAllBytes(withMetadata));
    }

    [Fact]
    public void Tensors_are_laid_out_by_descending_dtype_rank_then_name_and_each_is_aligned()
    {
        using var folder = new ScratchFolder();
        using var scope = NewDisposeScope();
        var path = folder.File("order.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["a"] = ones(3, ScalarType.Byte), ["b"] = ones(1, ScalarType.Float32), ["c"] = ones(1, ScalarType.Int64),
            ["d"] = ones(1, ScalarType.Float64), ["e"] = ones(1, ScalarType.BFloat16), ["f"] = ones(1, ScalarType.Float16),
            ["g"] = ones(1, ScalarType.Int16), ["h"] = ones(1, ScalarType.Bool), ["i"] = ones(1, ScalarType.Int8),
            ["j"] = ones(1, ScalarType.Int32), ["k"] = ones(2, ScalarType.Float64),
        };

        SafetensorsWriter.Save(path, tensors, new Dictionary<string, string> { ["z"] = "1", ["a"] = "2" });

        var bytes = File.ReadAllBytes(path);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + headerLength) % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        var order = header.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["__metadata__", "c", "d", "k", "b", "j", "e", "f", "g", "i", "a", "h"], order);
        using var file = SafetensorsFile.Open(path);
        Assert.All(file.Entries, entry => Assert.Equal(0, entry.Begin % (entry.ByteLength / Math.Max(1, entry.ElementCount))));
    }

    static byte[] LittleEndian(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    static byte[] FloatBytes(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
}
