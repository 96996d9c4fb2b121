using System.Text.Json;

namespace DiffusionTune.IO.Safetensors;

/// <summary>
/// The parsed, validated JSON header of a safetensors file. Nothing in it is trusted until every entry's
/// dtype, shape and offsets agree with each other and with the size of the file.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>The reference implementation refuses headers over 100 MB; so do we.</summary>
    public const long MaxHeaderLength = 100_000_000;

    SafetensorsHeader(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>Tensors in file order (by data offset).</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Parses and validates a header whose data section holds <paramref name="dataLength"/> bytes.</summary>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength, string path)
    {
        // The JSON reader accepts malformed UTF-8 inside strings and only fails (with InvalidOperationException)
        // when a name is read, so the encoding is checked first.
        if (!System.Text.Unicode.Utf8.IsValid(json))
            throw Invalid(path, "the header is not valid UTF-8 text");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"the header is not valid JSON ({e.Message})");
        }
        using (document)
        {
            try
            {
                return Validate(document.RootElement, dataLength, path);
            }
            catch (InvalidOperationException e)
            {
                // An escaped lone surrogate ("\ud800") in a name or string: valid JSON, but no valid text.
                throw Invalid(path, $"the header holds a string that is not valid Unicode ({e.Message})");
            }
        }
    }

    static SafetensorsHeader Validate(JsonElement root, long dataLength, string path)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw Invalid(path, $"the header must be a JSON object, not {root.ValueKind}");

        var entries = new List<SafetensorsEntry>();
        var metadata = new Dictionary<string, string>();
        var names = new HashSet<string>();
        foreach (var property in root.EnumerateObject())
        {
            if (!names.Add(property.Name))
                throw Invalid(path, $"the header names '{property.Name}' twice");
            if (property.Name == "__metadata__")
                ReadMetadata(property.Value, metadata, path);
            else
                entries.Add(ReadEntry(property.Name, property.Value, dataLength, path));
        }

        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        foreach (var entry in entries)
        {
            if (entry.Begin < expected)
                throw Invalid(path, $"tensor '{entry.Name}' overlaps the tensor before it (bytes {entry.Begin}..{entry.End})");
            if (entry.Begin > expected)
                throw Invalid(path, $"there are {entry.Begin - expected} unused bytes before tensor '{entry.Name}'");
            expected = entry.End;
        }
        if (expected != dataLength)
            throw Invalid(path, $"the tensors cover {expected} bytes but the data section holds {dataLength}");
        return new SafetensorsHeader(entries, metadata);
    }

    static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid(path, "__metadata__ must be an object of strings");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Invalid(path, $"__metadata__ value '{item.Name}' is not a string");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw Invalid(path, $"__metadata__ names '{item.Name}' twice");
        }
    }

    static SafetensorsEntry ReadEntry(string name, JsonElement value, long dataLength, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid(path, $"tensor '{name}' must be described by an object");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Invalid(path, $"tensor '{name}' has no dtype string");
        var dtype = dtypeElement.GetString()!;
        if (!SafetensorsDtype.TryParse(dtype, out var scalarType, out var elementSize))
            throw Invalid(path, $"tensor '{name}' has dtype '{dtype}', which is not supported (supported: {string.Join(", ", SafetensorsDtype.Names)})");

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Invalid(path, $"tensor '{name}' has no shape array");
        var shape = new long[shapeElement.GetArrayLength()];
        long elements = 1;
        int i = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out var size) || size < 0)
                throw Invalid(path, $"tensor '{name}' has the shape entry {dim.GetRawText()}, which is not a non-negative integer");
            shape[i++] = size;
            try { elements = checked(elements * size); }
            catch (OverflowException) { throw Invalid(path, $"tensor '{name}' has a shape too large to address"); }
        }

        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Invalid(path, $"tensor '{name}' must have data_offsets [begin, end]");
        var begin = offsets[0];
        var end = offsets[1];
        if (begin.ValueKind != JsonValueKind.Number || !begin.TryGetInt64(out var b) || end.ValueKind != JsonValueKind.Number || !end.TryGetInt64(out var e) || b < 0 || e < 0)
            throw Invalid(path, $"tensor '{name}' has data_offsets {offsets.GetRawText()}, which are not two non-negative integers");
        if (b > e)
            throw Invalid(path, $"tensor '{name}' has data_offsets that begin at {b}, after their end at {e}");
        if (e > dataLength)
            throw Invalid(path, $"tensor '{name}' ends at byte {e} but the data section holds only {dataLength} bytes (truncated file?)");

        long expectedBytes;
        try { expectedBytes = checked(elements * elementSize); }
        catch (OverflowException) { throw Invalid(path, $"tensor '{name}' has a shape too large to address"); }
        if (e - b != expectedBytes)
            throw Invalid(path, $"tensor '{name}' holds {e - b} bytes but {dtype}[{string.Join(", ", shape)}] needs {expectedBytes}");
        foreach (var property in value.EnumerateObject())
        {
            if (property.Name is not ("dtype" or "shape" or "data_offsets"))
                throw Invalid(path, $"tensor '{name}' has an unknown field '{property.Name}'");
        }
        return new SafetensorsEntry(name, dtype, scalarType, shape, b, e);
    }

    static ModelFileException Invalid(string path, string problem) =>
        new(path, $"not a valid safetensors file: {problem}");
}
