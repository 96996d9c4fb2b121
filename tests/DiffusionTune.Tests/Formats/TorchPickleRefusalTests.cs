using System.IO.Compression;
using DiffusionTune.IO;
using DiffusionTune.IO.Formats;

namespace DiffusionTune.Tests.Formats;

/// <summary>
/// Pickles that would run code in Python, and files that break torch.save's layout: each is refused with a
/// <see cref="ModelFileException"/> naming the file and what is wrong, and nothing they ask for happens.
/// </summary>
public class TorchPickleRefusalTests
{
    [Theory]
    [InlineData("os", "system")]
    [InlineData("posix", "system")]
    [InlineData("nt", "system")]
    [InlineData("builtins", "eval")]
    [InlineData("builtins", "exec")]
    [InlineData("__builtin__", "eval")]
    [InlineData("builtins", "getattr")]
    [InlineData("builtins", "__import__")]
    [InlineData("subprocess", "Popen")]
    [InlineData("subprocess", "check_output")]
    [InlineData("runpy", "_run_code")]
    [InlineData("torch", "load")]
    [InlineData("torch.serialization", "load")]
    [InlineData("numpy.core.multiarray", "_reconstruct")]
    [InlineData("torch.nn.modules.container", "Sequential")]
    [InlineData("collections", "defaultdict")]
    public void Globals_off_the_allow_list_are_refused_by_name_before_anything_runs(string module, string name)
    {
        using var scratch = new ScratchFolder();
        var marker = scratch.File("pwned");
        foreach (var (protocol, viaStack) in new[] { (2, false), (4, true) })
        {
            var writer = new PickleWriter().Protocol((byte)protocol);
            writer = viaStack ? writer.StackGlobal(module, name) : writer.Global(module, name);
            var pickle = writer.Str($"touch {marker}").Tuple(1).Reduce().Stop().ToArray();
            var path = scratch.File($"evil-{protocol}.pt");
            TorchSaveWriter.WriteArchive(path, pickle, []);

            var error = Assert.Throws<ModelFileException>(() => TorchPickleFile.Open(path));
            Assert.Equal(path, error.FilePath);
            Assert.StartsWith(path + ": ", error.Message);
            Assert.Contains($"refuses to load the Python global '{module}.{name}'", error.Message);
            // Embedding folders and --hypernetwork read through the same reader.
            Assert.Contains($"'{module}.{name}'", Assert.Throws<ModelFileException>(() => EmbeddingFile.Read(path)).Message);
            Assert.Contains($"'{module}.{name}'", Assert.Throws<ModelFileException>(() => HypernetworkFile.Read(path)).Message);
        }
        Assert.False(File.Exists(marker));
    }

    /// <summary>Name → (pickle, words the message must contain); storages come from <see cref="Storages"/>.</summary>
    public static TheoryData<string> Cases => new(Corpus.Keys);

    static readonly (string Key, byte[] Bytes)[] Storages = [("0", new byte[16])];

    static readonly Dictionary<string, (byte[] Pickle, string Expected)> Corpus = new()
    {
        ["calling a storage class"] = (P(w => w.Global("torch", "FloatStorage").EmptyTuple().Reduce()), "which is not a function it may call"),
        ["an allowed global with arguments torch.save never writes"] = (P(w => w.Global("collections", "OrderedDict").Str("x").Tuple(1).Reduce()), "called with 1 argument(s)"),
        ["NEWOBJ of a rebuild function"] = (P(w => w.Global("torch._utils", "_rebuild_tensor_v2").EmptyTuple().NewObj()), "NEWOBJ creates"),
        ["a persistent id that is not a storage"] = (P(w => w.Str("module").Str("os").Tuple(2).PersistentId()), "persistent id other than a tensor storage"),
        ["a storage key that is a path"] = (P(w => Storage(w, "../../etc/passwd", 4)), "not a record name"),
        ["a storage without its record"] = (P(w => Storage(w, "7", 4)), "has no data/7 record"),
        ["a storage larger than its record"] = (P(w => Storage(w, "0", 1000)), "declares 1000 elements of 4 bytes but its record holds 16 bytes"),
        ["a tensor past the end of its storage"] = (P(w => Tensor(w, [100], [1])), "reaches element 99 of storage '0', which has 4"),
        ["a negative stride"] = (P(w => Tensor(w, [2], [-1])), "negative size or stride"),
        ["a shape whose size overflows"] = (P(w => Tensor(w, [1L << 40, 1L << 40], [1, 1])), "overflow"),
        ["a tensor larger than the limit"] = (P(w => Tensor(w, [1L << 31, 2], [0, 0])), "would take more than"),
        ["an opcode torch.save never writes"] = (P(w => w.Raw((byte)'i').Raw("os\nsystem\n"u8.ToArray())), "opcode 0x69 is not one torch.save writes"),
        ["protocol 1"] = ([0x80, 1, (byte)'N', (byte)'.'], "unsupported pickle protocol"),
        ["a tuple as a dict key"] = (P(w => w.EmptyDict().Int(1).Int(2).Tuple(2).Int(3).SetItem()), "a dict key that is a 2-tuple"),
        ["a list that contains itself"] = (P(w => w.EmptyList().Get(0).Append()), "a container that contains itself"),
        ["a container changed after it was stored"] = (P(w => w.EmptyList().EmptyList().Append().Get(1).Int(1).Append()), "after storing it in another container"),
        ["a memo entry never stored"] = (P(w => w.Get(5)), "memo entry 5 is used but was never stored"),
        ["a pop below the stack"] = (P(w => w.Raw((byte)'0')), "pops a value it never pushed"),
        ["no STOP"] = (new PickleWriter().Protocol().None().ToArray(), "ends before its STOP opcode"),
        ["a string past the end"] = (new PickleWriter().Protocol().Raw((byte)'X', 0xff, 0xff, 0xff, 0xff, (byte)'a').ToArray(), "a length of 4294967295 runs past the end"),
        ["invalid UTF-8"] = (P(w => w.Raw((byte)'X', 2, 0, 0, 0, 0xc3, 0x28)), "not valid UTF-8"),
        ["an integer wider than 64 bits"] = (P(w => w.Raw(0x8a, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9)), "more than 64 bits"),
    };

    /// <summary>A pickle: protocol 2, what <paramref name="body"/> writes, STOP.</summary>
    static byte[] P(Func<PickleWriter, PickleWriter> body) => body(new PickleWriter().Protocol()).Stop().ToArray();

    static PickleWriter Storage(PickleWriter w, string key, long count) =>
        w.Mark().Str("storage").Global("torch", "FloatStorage").Str(key).Str("cpu").Int(count).Tuple(5).PersistentId();

    static PickleWriter Tensor(PickleWriter w, long[] shape, long[] strides)
    {
        w.Global("torch._utils", "_rebuild_tensor_v2").Mark();
        Storage(w, "0", 4).Int(0);
        foreach (var size in shape) w.Int(size);
        w.Tuple(shape.Length);
        foreach (var stride in strides) w.Int(stride);
        w.Tuple(strides.Length);
        return w.Bool(false).Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple(6).Reduce();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Malformed_pickles_are_refused_with_a_message_that_names_the_problem(string name)
    {
        using var scratch = new ScratchFolder();
        var (pickle, expected) = Corpus[name];
        var path = scratch.File("bad.pt");
        TorchSaveWriter.WriteArchive(path, pickle, Storages);
        var error = Assert.Throws<ModelFileException>(() => TorchPickleFile.Open(path));
        Assert.Equal(path, error.FilePath);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Files_that_are_not_torch_save_archives_are_refused_with_what_they_are()
    {
        using var scratch = new ScratchFolder();
        string Refusal(string fileName, Action<string> write)
        {
            var path = scratch.File(fileName);
            write(path);
            return Assert.Throws<ModelFileException>(() => TorchPickleFile.Open(path)).Problem;
        }
        void Zip(string path, params string[] entries)
        {
            using var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
            foreach (var entry in entries) zip.CreateEntry(entry).Open().Dispose();
        }

        Assert.Contains("legacy torch.save format", Refusal("legacy.pt", p => File.WriteAllBytes(p, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46])));
        Assert.Contains("not a torch.save file (no ZIP signature)", Refusal("text.pt", p => File.WriteAllText(p, "import os")));
        Assert.Contains("TorchScript archive", Refusal("script.pt", p => Zip(p, "m/data.pkl", "m/constants.pkl", "m/code/m.py")));
        Assert.Contains("outside the archive's top folder", Refusal("spread.pt", p => Zip(p, "a/data.pkl", "b/data/0")));
        Assert.Contains("has no a/data.pkl", Refusal("nopickle.pt", p => Zip(p, "a/version")));
        Assert.Contains("not inside a top folder", Refusal("flat.pt", p => Zip(p, "data.pkl")));
        Assert.Contains("big-endian", Refusal("big.pt", p =>
        {
            using var zip = new ZipArchive(File.Create(p), ZipArchiveMode.Create);
            using (var stream = zip.CreateEntry("a/byteorder").Open()) stream.Write("big"u8);
            using (var stream = zip.CreateEntry("a/data.pkl").Open()) stream.Write(P(w => w.None()));
        }));
    }
}
