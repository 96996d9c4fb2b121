using System.Diagnostics;
using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using static DiffusionTune.Tests.Formats.TorchSaveTestData;

namespace DiffusionTune.Tests.Formats;

/// <summary>
/// A corpus the test generates from valid A1111 files and hostile constructions: every truncation, random byte
/// changes of the pickle and of the whole archive, deep nesting, huge lengths, memo cycles and work bombs. Reading
/// each (and the tensors and formats in what reads) may succeed or throw <see cref="ModelFileException"/>; anything
/// else — another exception, a crash, a hang — fails the test.
/// </summary>
public class TorchPickleFuzzTests
{
    static readonly byte[] Interesting = [0x00, 0xff, 0x7f, 0x80, (byte)'(', (byte)')', (byte)'R', (byte)'b', (byte)'c', (byte)'h', (byte)'q', (byte)'a', (byte)'u', 0x8a, 0x8c, 0x93];

    sealed record Seed(string Name, byte[] Pickle, List<(string Key, byte[] Bytes)> Storages);

    static List<Seed> Seeds()
    {
        var seeds = new List<Seed>();
        void Add(string name, object root)
        {
            var storages = new List<(string, byte[])>();
            seeds.Add(new Seed(name, TorchSaveWriter.Pickle(root, storages), storages));
        }
        Add("a1111 embedding", A1111Embedding(Values(8, seed: 1), width: 4));
        Add("parameter-dict embedding", ParameterDictEmbedding(Values(4, seed: 2), width: 4));
        Add("hypernetwork", A1111Hypernetwork([2], []));
        return seeds;
    }

    /// <summary>Hostile pickles built opcode by opcode (protocol 2 header, STOP where there is an end at all).</summary>
    static IEnumerable<(string Name, byte[] Pickle)> Constructions()
    {
        byte[] Repeat(byte[] unit, int times) => Enumerable.Repeat(unit, times).SelectMany(b => b).ToArray();
        byte[] P(params byte[][] parts) => [0x80, 2, .. parts.SelectMany(p => p), (byte)'.'];
        const int Deep = 100_000;

        yield return ("lists nested 100000 deep", P(Repeat([(byte)']'], Deep), Repeat([(byte)'a'], Deep - 1)));
        yield return ("tuples nested 100000 deep", P([(byte)'N'], Repeat([0x85], Deep)));
        yield return ("dicts nested 100000 deep", P([(byte)'}'], Repeat([(byte)'K', 1, (byte)'}'], Deep), Repeat([(byte)'s'], Deep)));
        yield return ("a million MARKs", P(Repeat([(byte)'('], 1_000_000)));
        yield return ("six million DUPs", P([(byte)'N'], Repeat([(byte)'2'], 6_000_000)));
        yield return ("a string of 2^32-1 bytes", P([(byte)'X', 0xff, 0xff, 0xff, 0xff]));
        yield return ("a string of 2^63 bytes", P([0x8d, 0, 0, 0, 0, 0, 0, 0, 0x80]));
        yield return ("bytes of 2^64-1", P([0x8e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
        yield return ("an integer of 2^31 bytes", P([0x8b, 0, 0, 0, 0x80]));
        yield return ("a frame of 2^64-1 bytes", P([0x95, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
        yield return ("a GLOBAL without newline", P([(byte)'c', .. Repeat([(byte)'o'], 100_000)]));
        yield return ("a list in itself", P([(byte)']', (byte)'q', 0, (byte)'h', 0, (byte)'a']));
        yield return ("a dict in itself", P([(byte)'}', (byte)'q', 0, (byte)'K', 1, (byte)'h', 0, (byte)'s']));
        yield return ("two lists in each other", P([(byte)']', (byte)'q', 0, (byte)']', (byte)'q', 1, (byte)'a', (byte)'h', 1, (byte)'h', 0, (byte)'a']));
        yield return ("a list in a tuple in the list", P([(byte)']', (byte)'q', 0, (byte)'h', 0, 0x85, (byte)'a']));
        yield return ("memo slot 2^32-1", P([(byte)'N', (byte)'r', 0xff, 0xff, 0xff, 0xff, (byte)'j', 0xff, 0xff, 0xff, 0xff]));
        yield return ("a million memo slots", P([(byte)'N'], Repeat([0x94], 1_000_001)));
        // One list of a million references, copied into sets again and again: tiny to write, huge to build.
        yield return ("set copies of a huge list", P(
            [(byte)'N', (byte)'q', 1, (byte)']', (byte)'q', 0, (byte)'('], Repeat([(byte)'h', 1], 1_000_000), [(byte)'e'],
            [(byte)'c', .. "__builtin__\nset\n"u8.ToArray(), (byte)'q', 2],
            Repeat([(byte)'h', 2, (byte)'h', 0, 0x85, (byte)'R', (byte)'0'], 10)));
        yield return ("BUILD on None", P([(byte)'N', (byte)'}', (byte)'b']));
        yield return ("STOP on an empty stack", P());
        yield return ("only a header", [0x80, 2]);
        yield return ("empty", []);
    }

    [Fact]
    public void Malformed_and_hostile_files_fail_only_with_ModelFileException_and_quickly()
    {
        using var scratch = new ScratchFolder();
        var random = new Random(20240601);
        var failures = new List<string>();
        var slowest = (Name: "", Time: TimeSpan.Zero);
        int cases = 0;

        int opened = 0;

        bool Check(string name, Action<string> write)
        {
            var path = scratch.File($"case{cases++ % 8}.pt");
            write(path);
            var clock = Stopwatch.StartNew();
            bool read = false;
            try
            {
                read = ReadEverything(path);
                opened++;
            }
            catch (ModelFileException e) when (e.FilePath == path)
            {
            }
            catch (Exception e)
            {
                failures.Add($"{name}: {e.GetType().Name}: {e.Message}");
            }
            if (clock.Elapsed > slowest.Time) slowest = (name, clock.Elapsed);
            return read;
        }

        foreach (var seed in Seeds())
        {
            void Pickle(string name, byte[] pickle) => Check($"{seed.Name}, {name}", path => TorchSaveWriter.WriteArchive(path, pickle, seed.Storages));
            Assert.True(Check($"{seed.Name}, intact", path => TorchSaveWriter.WriteArchive(path, seed.Pickle, seed.Storages)), $"{seed.Name} does not read as its format");
            for (int length = 0; length < seed.Pickle.Length; length++) Pickle($"truncated to {length}", seed.Pickle[..length]);
            for (int i = 0; i < 400; i++)
            {
                var mutant = (byte[])seed.Pickle.Clone();
                int changes = random.Next(1, 5);
                for (int c = 0; c < changes; c++)
                    mutant[random.Next(mutant.Length)] = random.Next(2) == 0 ? (byte)random.Next(256) : Interesting[random.Next(Interesting.Length)];
                Pickle($"mutant {i} ({changes} bytes changed)", mutant);
            }
            for (int i = 0; i < 100; i++)
            {
                int at = random.Next(seed.Pickle.Length);
                Pickle($"byte {at} removed", [.. seed.Pickle[..at], .. seed.Pickle[(at + 1)..]]);
                Pickle($"byte inserted at {at}", [.. seed.Pickle[..at], Interesting[random.Next(Interesting.Length)], .. seed.Pickle[at..]]);
            }

            var archive = scratch.File("seed.pt");
            TorchSaveWriter.WriteArchive(archive, seed.Pickle, seed.Storages);
            var file = File.ReadAllBytes(archive);
            for (int length = 0; length < file.Length; length += 7) Check($"{seed.Name}, archive truncated to {length}", path => File.WriteAllBytes(path, file[..length]));
            for (int i = 0; i < 300; i++)
            {
                var mutant = (byte[])file.Clone();
                int changes = random.Next(1, 9);
                for (int c = 0; c < changes; c++) mutant[random.Next(mutant.Length)] = (byte)random.Next(256);
                Check($"{seed.Name}, archive mutant {i}", path => File.WriteAllBytes(path, mutant));
            }
        }
        foreach (var (name, pickle) in Constructions())
            Check(name, path => TorchSaveWriter.WriteArchive(path, pickle, []));

        Assert.InRange(opened, 3, cases - 1);
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases failed otherwise than with ModelFileException:\n{string.Join("\n", failures.Take(20))}");
        Assert.True(slowest.Time < TimeSpan.FromSeconds(3), $"'{slowest.Name}' took {slowest.Time.TotalSeconds:F1} s");
    }

    /// <summary>
    /// Opens the file, loads every tensor it describes, and reads it as an embedding and as a hypernetwork; true when
    /// one of those formats accepted it.
    /// </summary>
    static bool ReadEverything(string path)
    {
        using (var file = TorchPickleFile.Open(path))
        {
            // Breadth-first with a bound: what the reader returns has no cycles, but the walk must not trust that.
            var pending = new Queue<(object? Value, int Depth)>([(file.Root, 0)]);
            while (pending.TryDequeue(out var item))
            {
                if (item.Depth > 8) continue;
                IEnumerable<object?> children = item.Value switch
                {
                    PickleDict dict => dict.Items.Select(kv => kv.Value),
                    PickleList list => list.Items,
                    PickleTuple tuple => tuple.Items,
                    PickleObject obj => [obj.State],
                    PickleTensor tensor => Load(file, tensor),
                    _ => [],
                };
                foreach (var child in children) pending.Enqueue((child, item.Depth + 1));
            }
        }
        bool accepted = false;
        foreach (var read in new Action[] { () => EmbeddingFile.Read(path).Dispose(), () => HypernetworkFile.Read(path).Dispose() })
        {
            try
            {
                read();
                accepted = true;
            }
            catch (ModelFileException e) when (e.FilePath == path)
            {
            }
        }
        return accepted;
    }

    static IEnumerable<object?> Load(TorchPickleFile file, PickleTensor tensor)
    {
        file.Load(tensor, "fuzzed").Dispose();
        return [];
    }
}
