using System.Buffers.Binary;
using System.Text.Json;
using static TorchSharp.torch;

namespace DiffusionTune.IO.Safetensors;

/// <summary>Writes safetensors files atomically (temp file + rename), in the layout the reference implementation writes.</summary>
public static class SafetensorsWriter
{
    /// <param name="overwrite">False for a new file that must not replace one (see <see cref="AtomicFile.Write"/>).</param>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null, bool overwrite = true)
    {
        var items = Validated(tensors);
        AtomicFile.Write(path, stream => WriteValidated(stream, items, metadata), overwrite);
    }

    /// <summary>Writes the safetensors bytes to <paramref name="stream"/> (for hashing or in-memory use; files go through <see cref="Save"/>).</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        WriteValidated(stream, Validated(tensors), metadata);

    static List<KeyValuePair<string, Tensor>> Validated(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var items = tensors.ToList();
        var duplicate = items.GroupBy(t => t.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"tensor name '{duplicate.Key}' appears twice", nameof(tensors));
        if (items.Any(t => t.Key == "__metadata__"))
            throw new ArgumentException("'__metadata__' is reserved and cannot name a tensor", nameof(tensors));
        foreach (var (name, tensor) in items)
        {
            if (!SafetensorsDtype.IsSupported(tensor.dtype))
                throw new NotSupportedException($"tensor '{name}' is {tensor.dtype}, which safetensors has no dtype for");
        }

        // Largest alignment first, then by name: what the reference writer does (so our files match its bytes),
        // and it keeps every tensor aligned.
        items.Sort((a, b) =>
        {
            int byDtype = SafetensorsDtype.WriteOrder(b.Value.dtype).CompareTo(SafetensorsDtype.WriteOrder(a.Value.dtype));
            return byDtype != 0 ? byDtype : CompareCodePoints(a.Key, b.Key);
        });
        return items;
    }

    static void WriteValidated(Stream stream, List<KeyValuePair<string, Tensor>> items, IReadOnlyDictionary<string, string>? metadata)
    {
        var header = BuildHeader(items, metadata);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (var (_, tensor) in items)
        {
            using var scope = NewDisposeScope();
            var cpu = tensor.detach().cpu().contiguous();
            if (cpu.NumberOfElements > 0) cpu.WriteBytesToStream(stream, bufferSize: 1 << 20);
        }
    }

    /// <summary>Orders names as the reference writer does: by Unicode code point (UTF-8 byte order), not UTF-16 unit.</summary>
    static int CompareCodePoints(string a, string b)
    {
        var left = a.EnumerateRunes();
        var right = b.EnumerateRunes();
        while (true)
        {
            bool hasLeft = left.MoveNext(), hasRight = right.MoveNext();
            if (!hasLeft || !hasRight) return hasLeft.CompareTo(hasRight);
            int byRune = left.Current.Value.CompareTo(right.Current.Value);
            if (byRune != 0) return byRune;
        }
    }

    static byte[] BuildHeader(List<KeyValuePair<string, Tensor>> items, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                    json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in items)
            {
                long bytes = tensor.NumberOfElements * tensor.ElementSize;
                json.WriteStartObject(name);
                json.WriteString("dtype", SafetensorsDtype.NameOf(tensor.dtype));
                json.WriteStartArray("shape");
                foreach (var dim in tensor.shape) json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
        int padding = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}
