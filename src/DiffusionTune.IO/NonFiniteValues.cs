using System.Numerics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace DiffusionTune.IO;

/// <summary>
/// Counts NaN and ±∞ values, so that weights are checked once, where a file's tensors are read, and a broken file is
/// refused by name instead of turning every image black. The count reads the raw bits (a float is non-finite exactly
/// when its exponent bits are all ones), vectorised, so it costs one pass at memory speed and allocates nothing.
/// </summary>
public static class NonFiniteValues
{
    /// <summary>How many of <paramref name="data"/>'s values, stored as <paramref name="type"/>, are NaN or ±∞; 0 for integer and bool types.</summary>
    public static long Count(ReadOnlySpan<byte> data, ScalarType type) => type switch
    {
        ScalarType.Float16 => Count(MemoryMarshal.Cast<byte, ushort>(data), (ushort)0x7C00),
        ScalarType.BFloat16 => Count(MemoryMarshal.Cast<byte, ushort>(data), (ushort)0x7F80),
        ScalarType.Float32 => Count(MemoryMarshal.Cast<byte, uint>(data), 0x7F80_0000u),
        ScalarType.Float64 => Count(MemoryMarshal.Cast<byte, ulong>(data), 0x7FF0_0000_0000_0000ul),
        _ => 0,
    };

    /// <summary>How many of <paramref name="tensor"/>'s values are NaN or ±∞, on any device; 0 for integer and bool tensors.</summary>
    public static long Count(Tensor tensor)
    {
        if (!tensor.is_floating_point()) return 0;
        if (tensor.device_type == TorchSharp.DeviceType.CPU && tensor.is_contiguous() && tensor.NumberOfElements * tensor.ElementSize <= int.MaxValue)
            return Count(tensor.bytes, tensor.dtype);
        using var finite = tensor.isfinite();
        return tensor.numel() - finite.sum().item<long>();
    }

    /// <summary>Throws <see cref="ModelFileException"/> naming the file, the tensor and how many of its values are not finite.</summary>
    public static void Refuse(string path, string tensorName, long count) =>
        throw new ModelFileException(path, $"tensor '{tensorName}' has {count} non-finite value{(count == 1 ? "" : "s")} (NaN/Inf)");

    /// <summary>Counts the values whose exponent bits (<paramref name="exponent"/>) are all set: a clean vector is skipped with one compare.</summary>
    static long Count<T>(ReadOnlySpan<T> values, T exponent) where T : unmanaged, IBinaryInteger<T>
    {
        long count = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<T>.Count)
        {
            var mask = new Vector<T>(exponent);
            for (; i <= values.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                if (Vector.EqualsAny(new Vector<T>(values.Slice(i, Vector<T>.Count)) & mask, mask))
                    count += CountScalar(values.Slice(i, Vector<T>.Count), exponent);
            }
        }
        return count + CountScalar(values[i..], exponent);
    }

    static long CountScalar<T>(ReadOnlySpan<T> values, T exponent) where T : unmanaged, IBinaryInteger<T>
    {
        long count = 0;
        foreach (var value in values)
            if ((value & exponent) == exponent) count++;
        return count;
    }
}
