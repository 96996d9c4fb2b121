using static TorchSharp.torch;

namespace DiffusionTune.IO.Safetensors;

/// <summary>The safetensors dtype names and how they map onto torch scalar types.</summary>
public static class SafetensorsDtype
{
    // Listed in the reference implementation's dtype order (ascending alignment, ties in a fixed order), which
    // its writer uses, descending, to lay tensors out; WriteOrder exposes the position.
    static readonly (string Name, ScalarType Type, int Size)[] Known =
    [
        ("BOOL", ScalarType.Bool, 1),
        ("U8", ScalarType.Byte, 1),
        ("I8", ScalarType.Int8, 1),
        ("I16", ScalarType.Int16, 2),
        ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2),
        ("I32", ScalarType.Int32, 4),
        ("F32", ScalarType.Float32, 4),
        ("F64", ScalarType.Float64, 8),
        ("I64", ScalarType.Int64, 8),
    ];

    public static bool TryParse(string name, out ScalarType type, out int elementSize)
    {
        foreach (var known in Known)
        {
            if (known.Name == name)
            {
                (type, elementSize) = (known.Type, known.Size);
                return true;
            }
        }
        (type, elementSize) = (default, 0);
        return false;
    }

    public static bool IsSupported(ScalarType type) => Known.Any(known => known.Type == type);

    public static string NameOf(ScalarType type)
    {
        foreach (var known in Known)
            if (known.Type == type) return known.Name;
        throw new NotSupportedException($"safetensors has no dtype for {type}");
    }

    /// <summary>
    /// The dtype's rank in the reference implementation's ordering: a larger rank never has a smaller alignment,
    /// and the reference writer places tensors by descending rank, then by name.
    /// </summary>
    public static int WriteOrder(ScalarType type)
    {
        for (int i = 0; i < Known.Length; i++)
            if (Known[i].Type == type) return i;
        throw new NotSupportedException($"safetensors has no dtype for {type}");
    }

    public static IEnumerable<string> Names => Known.Select(k => k.Name);
}
