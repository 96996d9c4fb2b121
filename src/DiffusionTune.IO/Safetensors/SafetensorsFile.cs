using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.IO.Safetensors;

/// <summary>
/// A safetensors file opened for lazy reading. The file is memory-mapped, and each tensor is copied
/// straight from the mapping into the tensor's own storage when asked for, so a multi-GB checkpoint is
/// never staged in managed memory. Dispose to unmap.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    readonly MemoryMappedFile? _mapping;
    readonly MemoryMappedViewAccessor? _view;
    readonly byte* _base;
    readonly long _dataStart;
    readonly Dictionary<string, SafetensorsEntry> _byName;
    bool _disposed;

    SafetensorsFile(string path, SafetensorsHeader header, MemoryMappedFile? mapping, MemoryMappedViewAccessor? view, long dataStart)
    {
        FilePath = path;
        Header = header;
        _mapping = mapping;
        _view = view;
        _dataStart = dataStart;
        _byName = header.Entries.ToDictionary(e => e.Name);
        if (view is not null)
        {
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _base = pointer + view.PointerOffset;
        }
    }

    public string FilePath { get; }

    public SafetensorsHeader Header { get; }

    public IReadOnlyDictionary<string, string> Metadata => Header.Metadata;

    public IReadOnlyList<SafetensorsEntry> Entries => Header.Entries;

    public IEnumerable<string> Names => Header.Entries.Select(e => e.Name);

    public bool Contains(string name) => _byName.ContainsKey(name);

    public SafetensorsEntry Entry(string name) =>
        _byName.TryGetValue(name, out var entry) ? entry : throw new ModelFileException(FilePath, $"has no tensor named '{name}'");

    /// <summary>Opens and validates <paramref name="path"/>; every structural problem is reported with the file's name.</summary>
    /// <exception cref="FileAccessException">The system would not open or read it (a symlink loop, no permission).</exception>
    public static SafetensorsFile Open(string path)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors files are little-endian; this machine is not");
        if (!File.Exists(path))
            throw new ModelFileException(path, "file not found");

        // Opened once, then measured and mapped through that handle: a name the system cannot open (a symlink loop)
        // is an error naming it, not a link's own size taken for the file's.
        FileStream? stream = null;
        try
        {
            return FileAccessException.Guard(path, "read", () =>
            {
                stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
                return Open(path, stream);
            });
        }
        catch
        {
            stream?.Dispose();
            throw;
        }
    }

    /// <summary>Reads and validates the header from <paramref name="stream"/>, then maps the file (which then owns the stream).</summary>
    static SafetensorsFile Open(string path, FileStream stream)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw new ModelFileException(path, $"not a valid safetensors file: it is {fileLength} bytes long, shorter than the 8-byte header length");

        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > SafetensorsHeader.MaxHeaderLength)
            throw new ModelFileException(path, $"not a valid safetensors file: the header claims {headerLength} bytes (limit {SafetensorsHeader.MaxHeaderLength}); is this really a safetensors file?");
        if ((long)headerLength > fileLength - 8)
            throw new ModelFileException(path, $"not a valid safetensors file: the header claims {headerLength} bytes but only {fileLength - 8} follow (truncated file?)");
        var json = new byte[headerLength];
        stream.ReadExactly(json);

        long dataStart = 8 + json.Length;
        var header = SafetensorsHeader.Parse(json, fileLength - dataStart, path);
        if (fileLength == dataStart)
        {
            stream.Dispose();
            return new SafetensorsFile(path, header, null, null, dataStart);
        }

        var mapping = MemoryMappedFile.CreateFromFile(stream, mapName: null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        try
        {
            var view = mapping.CreateViewAccessor(0, fileLength, MemoryMappedFileAccess.Read);
            return new SafetensorsFile(path, header, mapping, view, dataStart);
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    /// <summary>Reads one tensor into a new CPU tensor of its stored dtype.</summary>
    /// <exception cref="ModelFileException">The tensor holds NaN or ±∞ values: no weight, adapter or embedding can use them.</exception>
    public Tensor Load(string name) => Load(Entry(name));

    /// <inheritdoc cref="Load(string)"/>
    public Tensor Load(SafetensorsEntry entry)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var tensor = empty(entry.Shape, entry.ScalarType, CPU);
        long nonFinite = CopyInto(entry, tensor);
        if (nonFinite > 0)
        {
            tensor.Dispose();
            NonFiniteValues.Refuse(FilePath, entry.Name, nonFinite);
        }
        return tensor;
    }

    /// <summary>Reads every tensor (optionally only those <paramref name="select"/> accepts).</summary>
    public Dictionary<string, Tensor> LoadAll(Func<string, bool>? select = null)
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var entry in Entries)
        {
            if (select is null || select(entry.Name))
                result[entry.Name] = Load(entry);
        }
        return result;
    }

    /// <summary>Copies the tensor's bytes out of the mapping and returns how many of its values are NaN or ±∞ (counted on the way).</summary>
    long CopyInto(SafetensorsEntry entry, Tensor tensor)
    {
        if (entry.ByteLength == 0) return 0;
        // A Span addresses at most 2 GB, so large tensors are copied slice by slice of the flat view.
        const long chunkBytes = 1L << 30;
        byte* source = _base + _dataStart + entry.Begin;
        long elementSize = tensor.ElementSize;
        long perChunk = Math.Max(1, chunkBytes / elementSize);
        using var flat = tensor.view(-1);
        long nonFinite = 0;
        for (long start = 0; start < entry.ElementCount; start += perChunk)
        {
            long count = Math.Min(perChunk, entry.ElementCount - start);
            using var slice = flat.narrow(0, start, count);
            var destination = slice.bytes;
            new ReadOnlySpan<byte>(source + start * elementSize, (int)(count * elementSize)).CopyTo(destination);
            nonFinite += NonFiniteValues.Count(destination, entry.ScalarType);
        }
        return nonFinite;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _mapping?.Dispose();
    }
}
