using System.IO.Compression;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// A <c>.pt</c>/<c>.bin</c>/<c>.ckpt</c> file written by <c>torch.save</c> (PyTorch 1.6 and later), read without
/// running any of it. Such a file is a ZIP archive whose entries share one top folder: <c>data.pkl</c> (the object
/// tree as a pickle), <c>data/&lt;key&gt;</c> (the raw bytes of each tensor storage), <c>version</c> and, from
/// PyTorch 2.1, <c>byteorder</c>. The pickle is read by a restricted unpickler that knows only plain data, tensors and
/// a short allow-list of PyTorch globals; anything else (such as <c>os.system</c>) is refused, naming it. Tensors are
/// described in <see cref="Root"/> as <see cref="PickleTensor"/>s and read by <see cref="Load(PickleTensor, string)"/>.
/// The legacy format of PyTorch before 1.6 (a tar or a bare pickle stream) and TorchScript archives are refused.
/// Every problem, however malformed or hostile the file, is a <see cref="ModelFileException"/>.
/// </summary>
public sealed partial class TorchPickleFile : IDisposable
{
    const string PickleRecord = "data.pkl", ByteOrderRecord = "byteorder", StoragePrefix = "data/";

    readonly ZipArchive _archive;
    readonly Dictionary<string, ZipArchiveEntry> _records;
    readonly Dictionary<string, PickleStorage> _storages = new(StringComparer.Ordinal);
    readonly Dictionary<string, byte[]> _storageBytes = new(StringComparer.Ordinal);
    readonly TorchPickleLimits _limits;
    long _storageBytesRead;

    TorchPickleFile(string path, ZipArchive archive, Dictionary<string, ZipArchiveEntry> records, TorchPickleLimits limits)
    {
        FilePath = path;
        _archive = archive;
        _records = records;
        _limits = limits;
    }

    public string FilePath { get; }

    /// <summary>
    /// The saved object: <see cref="PickleDict"/>, <see cref="PickleList"/>, <see cref="PickleTuple"/>,
    /// <see cref="PickleObject"/>, <see cref="PickleTensor"/>, <see cref="string"/>, <see cref="long"/>,
    /// <see cref="double"/>, <see cref="bool"/>, <c>byte[]</c> or null, nested.
    /// </summary>
    public object? Root { get; private set; }

    /// <summary>Whether <paramref name="path"/> starts like a ZIP archive (every torch.save file since PyTorch 1.6 does).</summary>
    public static bool LooksLikeTorchZip(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual("PK\x03\x04"u8);
    }

    /// <summary>Opens and unpickles <paramref name="path"/> (tensor data is read later, on demand).</summary>
    /// <exception cref="ModelFileException">Anything about the file is wrong, unsupported or refused.</exception>
    /// <exception cref="FileAccessException">The system would not open it (a symlink loop, no permission).</exception>
    public static TorchPickleFile Open(string path, TorchPickleLimits? limits = null)
    {
        limits ??= TorchPickleLimits.Default;
        if (!File.Exists(path)) throw new ModelFileException(path, "file not found");
        // Opened first: a name the system cannot open (a symlink loop) is an error naming it, and the length is the
        // file's, not a link's. The stream is disposed by hand on failure: a ZipArchive that fails to construct does not close it.
        var stream = FileAccessException.Guard(path, "read", () => File.OpenRead(path));
        ZipArchive? archive = null;
        try
        {
            if (stream.Length > limits.MaxFileBytes) throw new ModelFileException(path, $"is {stream.Length} bytes, more than the {limits.MaxFileBytes} accepted");
            if (!LooksLikeTorchZip(path)) throw new ModelFileException(path, NotZipProblem(path));
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
            var file = new TorchPickleFile(path, archive, Records(path, archive, limits), limits);
            file.Root = file.Unpickle();
            return file;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            archive?.Dispose();
            stream.Dispose();
            throw new ModelFileException(path, $"is not a readable ZIP archive ({e.Message})", e);
        }
        catch
        {
            archive?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    static string NotZipProblem(string path)
    {
        Span<byte> head = stackalloc byte[262];
        using var stream = File.OpenRead(path);
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        // The legacy format starts with a pickled magic number (protocol 2, LONG1 of 10 bytes) or is a tar archive.
        bool legacy = read >= 4 && head[..4].SequenceEqual(new byte[] { 0x80, 0x02, 0x8a, 0x0a })
            || read >= 262 && head[257..262].SequenceEqual("ustar"u8);
        return legacy
            ? "is in the legacy torch.save format of PyTorch before 1.6, which is not supported; re-save it with a current PyTorch (or convert it to .safetensors)"
            : "is not a torch.save file (no ZIP signature)";
    }

    /// <summary>The archive's entries by name below its top folder, checked for torch.save's layout.</summary>
    static Dictionary<string, ZipArchiveEntry> Records(string path, ZipArchive archive, TorchPickleLimits limits)
    {
        if (archive.Entries.Count > limits.MaxArchiveEntries)
            throw new ModelFileException(path, $"holds {archive.Entries.Count} entries, more than the {limits.MaxArchiveEntries} accepted");
        if (archive.Entries.Count == 0) throw new ModelFileException(path, "is an empty ZIP archive, not a torch.save file");
        var first = archive.Entries[0].FullName;
        int slash = first.IndexOf('/');
        if (slash <= 0) throw new ModelFileException(path, $"entry '{first}' is not inside a top folder, as torch.save writes every entry");
        var prefix = first[..(slash + 1)];
        var records = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var entry in archive.Entries)
        {
            if (!entry.FullName.StartsWith(prefix, StringComparison.Ordinal))
                throw new ModelFileException(path, $"entry '{entry.FullName}' is outside the archive's top folder '{prefix}'");
            if (!records.TryAdd(entry.FullName[prefix.Length..], entry))
                throw new ModelFileException(path, $"holds two entries named '{entry.FullName}'");
        }
        if (records.ContainsKey("constants.pkl") || records.Keys.Any(name => name.StartsWith("code/", StringComparison.Ordinal)))
            throw new ModelFileException(path, "is a TorchScript archive (torch.jit.save), not a torch.save file");
        if (!records.ContainsKey(PickleRecord)) throw new ModelFileException(path, $"has no {prefix}{PickleRecord}: not a torch.save file");
        return records;
    }

    object? Unpickle()
    {
        if (_records.TryGetValue(ByteOrderRecord, out var byteOrderEntry))
        {
            var byteOrder = System.Text.Encoding.ASCII.GetString(ReadEntry(byteOrderEntry, 16));
            if (byteOrder != "little")
                throw new ModelFileException(FilePath, byteOrder == "big"
                    ? "was saved on a big-endian machine, which is not supported"
                    : $"names an unknown byte order '{byteOrder}'");
        }
        var pickle = ReadEntry(_records[PickleRecord], _limits.MaxPickleBytes);
        return RestrictedUnpickler.Load(pickle, FilePath, _limits, PersistentLoad);
    }

    /// <summary>Resolves <c>('storage', torch.FloatStorage, key, location, numel)</c>, checking the record holds that much.</summary>
    PickleStorage PersistentLoad(PickleTuple id)
    {
        var items = id.Items;
        if (items.Count != 5 || items[0] is not "storage")
            throw new ModelFileException(FilePath, $"holds a persistent id other than a tensor storage ({items.Count} items, first {PickleGlobals.Describe(items.Count > 0 ? items[0] : null)})");
        if (!PickleGlobals.TryGetStorageType(items[1], out var type, out int elementSize))
            throw new ModelFileException(FilePath, $"a storage has type {PickleGlobals.Describe(items[1])}");
        if (items[2] is not string key || !StorageKey().IsMatch(key))
        {
            var shown = items[2] is string text ? $"'{text[..Math.Min(text.Length, 64)]}'" : PickleGlobals.Describe(items[2]);
            throw new ModelFileException(FilePath, $"a storage has the key {shown}, which is not a record name");
        }
        if (items[3] is not string) throw new ModelFileException(FilePath, $"storage '{key}' has location {PickleGlobals.Describe(items[3])}");
        if (items[4] is not long count || count < 0) throw new ModelFileException(FilePath, $"storage '{key}' has {PickleGlobals.Describe(items[4])} elements");

        if (_storages.TryGetValue(key, out var known))
        {
            if (known.ElementType != type || known.ElementCount != count)
                throw new ModelFileException(FilePath, $"storage '{key}' is declared twice with different types or sizes");
            return known;
        }
        if (!_records.TryGetValue(StoragePrefix + key, out var entry))
            throw new ModelFileException(FilePath, $"storage '{key}' has no {StoragePrefix}{key} record");
        if (count > entry.Length / elementSize)
            throw new ModelFileException(FilePath, $"storage '{key}' declares {count} elements of {elementSize} bytes but its record holds {entry.Length} bytes");
        var storage = new PickleStorage(key, type, elementSize, count);
        _storages[key] = storage;
        return storage;
    }

    /// <summary>Reads a tensor's numbers into a new contiguous CPU tensor of its stored type.</summary>
    /// <param name="name">The tensor's name in the file, for messages.</param>
    /// <exception cref="ModelFileException">Its storage cannot be read or exceeds the limits, or it holds NaN or ±∞ values.</exception>
    public Tensor Load(PickleTensor tensor, string name)
    {
        var bytes = StorageBytes(tensor.Storage);
        using var scope = NewDisposeScope();
        var flat = empty([tensor.Storage.ElementCount], tensor.ElementType, CPU);
        if (tensor.Storage.ByteLength > 0) bytes.AsSpan(0, (int)tensor.Storage.ByteLength).CopyTo(flat.bytes);
        var result = empty([.. tensor.Shape], tensor.ElementType, CPU);
        if (result.numel() > 0) result.copy_(flat.as_strided([.. tensor.Shape], [.. tensor.Strides], tensor.StorageOffset));
        if (NonFiniteValues.Count(result) is > 0 and var nonFinite) NonFiniteValues.Refuse(FilePath, name, nonFinite);
        return scope.MoveToOuter(result);
    }

    byte[] StorageBytes(PickleStorage storage)
    {
        if (_storageBytes.TryGetValue(storage.Key, out var cached)) return cached;
        var entry = _records[StoragePrefix + storage.Key];
        if (_storageBytesRead + entry.Length > _limits.MaxStorageBytes)
            throw new ModelFileException(FilePath, $"its storages hold more than the {_limits.MaxStorageBytes} bytes accepted");
        try
        {
            var bytes = ReadEntry(entry, int.MaxValue);
            _storageBytesRead += bytes.Length;
            _storageBytes[storage.Key] = bytes;
            return bytes;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            throw new ModelFileException(FilePath, $"storage '{storage.Key}' cannot be read ({e.Message})", e);
        }
    }

    /// <summary>An entry's bytes, refusing entries larger than <paramref name="maxBytes"/> or compressed suspiciously well.</summary>
    byte[] ReadEntry(ZipArchiveEntry entry, int maxBytes)
    {
        if (entry.Length > maxBytes || entry.Length > Array.MaxLength)
            throw new ModelFileException(FilePath, $"entry '{entry.FullName}' is {entry.Length} bytes, more than the {Math.Min(maxBytes, Array.MaxLength)} accepted");
        if (entry.Length > 0 && entry.Length / Math.Max(1, entry.CompressedLength) > _limits.MaxCompressionRatio)
            throw new ModelFileException(FilePath, $"entry '{entry.FullName}' expands {entry.Length / Math.Max(1, entry.CompressedLength)}-fold, more than the {_limits.MaxCompressionRatio} accepted");
        var bytes = new byte[entry.Length];
        using var stream = entry.Open();
        int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read < bytes.Length) throw new ModelFileException(FilePath, $"entry '{entry.FullName}' ends after {read} of its {bytes.Length} bytes");
        // Never trust the declared size: one more byte means the entry decompresses to more than it said.
        if (stream.ReadByte() >= 0) throw new ModelFileException(FilePath, $"entry '{entry.FullName}' holds more than its declared {bytes.Length} bytes");
        return bytes;
    }

    public void Dispose() => _archive.Dispose();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex StorageKey();
}
