using System.Buffers.Binary;
using System.Text;
using DiffusionTune.IO;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Safetensors;

/// <summary>
/// A corpus of broken files built byte by byte: each must fail to open with a <see cref="ModelFileException"/> that
/// names the file and the specific problem, promptly.
/// </summary>
public class SafetensorsMalformedTests
{
    const string F32Four = """{"dtype":"F32","shape":[4],"data_offsets":[0,16]}""";

    /// <summary>Name → (file bytes, words the message must contain).</summary>
    static readonly Dictionary<string, (byte[] Bytes, string Expected)> Corpus = new()
    {
        ["empty file"] = ([], "0 bytes long, shorter than the 8-byte header length"),
        ["shorter than 8 bytes"] = ([1, 0, 0], "3 bytes long, shorter than the 8-byte header length"),
        ["header length past the end"] = (WithClaimedLength(1000, "{}", 0), "the header claims 1000 bytes but only"),
        ["header length over 100 MB"] = (WithClaimedLength(200_000_000, "{}", 0), "claims 200000000 bytes (limit 100000000)"),
        ["header length near 2^64"] = (WithClaimedLength(ulong.MaxValue, "{}", 0), "(limit 100000000)"),
        ["zero header length"] = (WithClaimedLength(0, "", 0), "not valid JSON"),
        ["header not JSON"] = (Make("{\"a\": {\"dtype\": \"F32\", ", 0), "not valid JSON"),
        ["header not an object"] = (Make("[1, 2, 3]", 0), "must be a JSON object, not Array"),
        ["header a string"] = (Make("\"hello\"", 0), "must be a JSON object, not String"),
        ["header nested too deep"] = (Make(new string('[', 64) + new string(']', 64), 0), "not valid JSON"),
        ["header not UTF-8"] = (MakeRaw([.. "{\"w"u8.ToArray(), 0xFF, 0xFE, .. "\":1}"u8.ToArray()], 0), "not valid UTF-8"),
        ["lone surrogate escape"] = (Make("{\"w\\ud800\":" + F32Four + "}", 16), "not valid Unicode"),
        ["duplicate tensor names"] = (Make("{\"w\":" + F32Four + ",\"w\":" + F32Four + "}", 16), "names 'w' twice"),
        ["duplicate metadata"] = (Make("""{"__metadata__":{"a":"1"},"__metadata__":{"a":"2"}}""", 0), "names '__metadata__' twice"),
        ["duplicate metadata key"] = (Make("""{"__metadata__":{"a":"1","a":"2"}}""", 0), "__metadata__ names 'a' twice"),
        ["unknown dtype"] = (Make("""{"w":{"dtype":"C64","shape":[2],"data_offsets":[0,16]}}""", 16), "dtype 'C64', which is not supported"),
        ["dtype not a string"] = (Make("""{"w":{"dtype":4,"shape":[4],"data_offsets":[0,16]}}""", 16), "has no dtype string"),
        ["negative shape"] = (Make("""{"w":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}""", 16), "shape entry -4"),
        ["fractional shape"] = (Make("""{"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,10]}}""", 10), "shape entry 2.5"),
        ["shape as string"] = (Make("""{"w":{"dtype":"F32","shape":["4"],"data_offsets":[0,16]}}""", 16), "shape entry \"4\""),
        ["shape missing"] = (Make("""{"w":{"dtype":"F32","data_offsets":[0,16]}}""", 16), "has no shape array"),
        ["shape overflowing"] = (Make("""{"w":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,16]}}""", 16), "too large to address"),
        ["offsets missing"] = (Make("""{"w":{"dtype":"F32","shape":[4]}}""", 16), "must have data_offsets [begin, end]"),
        ["offsets of three"] = (Make("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,8,16]}}""", 16), "must have data_offsets [begin, end]"),
        ["negative offset"] = (Make("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[-16,0]}}""", 16), "not two non-negative integers"),
        ["fractional offset"] = (Make("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16.0]}}""", 16), "not two non-negative integers"),
        ["begin after end"] = (Make("""{"w":{"dtype":"F32","shape":[0],"data_offsets":[16,8]}}""", 16), "begin at 16, after their end at 8"),
        ["offsets past the end"] = (Make("""{"w":{"dtype":"F32","shape":[100],"data_offsets":[0,400]}}""", 16), "ends at byte 400 but the data section holds only 16 bytes"),
        ["truncated data"] = (Make("{\"w\":" + F32Four + "}", 9), "ends at byte 16 but the data section holds only 9 bytes"),
        ["byte length not shape times dtype size"] = (Make("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8), "holds 8 bytes but F32[3] needs 12"),
        ["overlapping tensors"] = (Make("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12), "tensor 'b' overlaps the tensor before it"),
        ["hole between tensors"] = (Make("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", 12), "4 unused bytes before tensor 'b'"),
        ["unused bytes at the end"] = (Make("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 8), "the tensors cover 4 bytes but the data section holds 8"),
        ["tensor not an object"] = (Make("""{"w":[0,16]}""", 16), "tensor 'w' must be described by an object"),
        ["unknown tensor field"] = (Make("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16],"stride":[1]}}""", 16), "unknown field 'stride'"),
        ["non-string metadata value"] = (Make("""{"__metadata__":{"epoch":3}}""", 0), "__metadata__ value 'epoch' is not a string"),
        ["metadata not an object"] = (Make("""{"__metadata__":"pt"}""", 0), "__metadata__ must be an object of strings"),
    };

    public static TheoryData<string> Cases => [.. Corpus.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_malformed_file_is_refused_naming_the_file_and_the_problem(string name)
    {
        using var folder = new ScratchFolder();
        var (bytes, expected) = Corpus[name];
        var path = folder.File("broken.safetensors");
        File.WriteAllBytes(path, bytes);

        var error = OpenWithinTimeLimit(path);

        var modelError = Assert.IsType<ModelFileException>(error);
        Assert.Equal(path, modelError.FilePath);
        Assert.StartsWith($"{path}: not a valid safetensors file: ", modelError.Message);
        Assert.Contains(expected, modelError.Problem);
    }

    [Fact]
    public void Every_truncation_of_a_valid_file_is_refused()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("whole.safetensors");
        using (var scope = NewDisposeScope())
            SafetensorsWriter.Save(path, [new("a", ones(3, ScalarType.Float32)), new("b", ones(5, ScalarType.Int16))], new Dictionary<string, string> { ["k"] = "v" });
        var whole = File.ReadAllBytes(path);
        var cut = folder.File("cut.safetensors");

        for (int length = 0; length < whole.Length; length++)
        {
            File.WriteAllBytes(cut, whole[..length]);
            var error = OpenWithinTimeLimit(cut);
            Assert.True(error is ModelFileException, $"cut to {length} bytes: {error?.GetType().Name ?? "opened"}: {error?.Message}");
        }
    }

    [Fact]
    public void Random_damage_to_the_header_either_still_reads_or_is_refused_cleanly()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("whole.safetensors");
        using (var scope = NewDisposeScope())
            SafetensorsWriter.Save(path, [new("weight", ones(2, 3, ScalarType.Float32)), new("bias", ones(3, ScalarType.Float16))], new Dictionary<string, string> { ["format"] = "pt" });
        var whole = File.ReadAllBytes(path);
        int headerEnd = 8 + (int)BinaryPrimitives.ReadInt64LittleEndian(whole);
        var damaged = folder.File("damaged.safetensors");
        var random = new Random(42);

        for (int trial = 0; trial < 300; trial++)
        {
            var bytes = (byte[])whole.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
                bytes[random.Next(0, headerEnd)] = (byte)random.Next(256);
            File.WriteAllBytes(damaged, bytes);

            var error = OpenWithinTimeLimit(damaged, loadEverything: true);

            Assert.True(error is null or ModelFileException, $"trial {trial}: {error?.GetType().Name}: {error?.Message}");
        }
    }

    /// <summary>Opens (and optionally reads every tensor of) <paramref name="path"/>, failing the test if that hangs; returns what was thrown.</summary>
    static Exception? OpenWithinTimeLimit(string path, bool loadEverything = false)
    {
        var attempt = Task.Run(() => Record.Exception(() =>
        {
            using var file = SafetensorsFile.Open(path);
            if (!loadEverything) return;
            using var scope = NewDisposeScope();
            file.LoadAll();
        }));
        Assert.True(attempt.Wait(TimeSpan.FromSeconds(30)), $"opening {path} did not finish");
        return attempt.Result;
    }

    static byte[] Make(string header, int dataLength) => MakeRaw(Encoding.UTF8.GetBytes(header), dataLength);

    static byte[] MakeRaw(byte[] header, int dataLength) =>
        [.. Prefix((ulong)header.Length), .. header, .. new byte[dataLength]];

    static byte[] WithClaimedLength(ulong claimed, string header, int dataLength) =>
        [.. Prefix(claimed), .. Encoding.UTF8.GetBytes(header), .. new byte[dataLength]];

    static byte[] Prefix(ulong length)
    {
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, length);
        return prefix;
    }
}
