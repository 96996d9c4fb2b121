using System.Buffers.Binary;
using System.Security.Cryptography;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// The LoRA hashes of kohya's sd-scripts (inherited from the "additional networks" extension) that A1111 uses:
/// the SHA-256 of everything after a safetensors file's header, so that editing metadata keeps the hash, and a legacy
/// 8-digit hash of the 64 KiB at offset 1 MiB. A1111 shows the first 12 digits of the first as a LoRA's short hash.
/// </summary>
public static class AddnetHash
{
    /// <summary>How many hex digits of <see cref="OfStream"/> A1111 writes into "Lora hashes".</summary>
    public const int ShortLength = 12;

    const int LegacyOffset = 1 << 20;
    const int LegacyLength = 64 << 10;

    /// <summary>The SHA-256 (lower-case hex) of the bytes after the safetensors header of <paramref name="path"/>.</summary>
    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return OfStream(stream);
    }

    /// <summary>The SHA-256 (lower-case hex) of the bytes after the safetensors header of <paramref name="safetensors"/>, read from its start.</summary>
    public static string OfStream(Stream safetensors)
    {
        safetensors.Position = 0;
        Span<byte> prefix = stackalloc byte[8];
        safetensors.ReadExactly(prefix);
        safetensors.Position = 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        return Convert.ToHexStringLower(SHA256.HashData(safetensors));
    }

    /// <summary>
    /// The first 8 hex digits of the SHA-256 of the (up to) 64 KiB at offset 1 MiB of <paramref name="safetensors"/>;
    /// a file shorter than 1 MiB hashes no bytes, as kohya's does.
    /// </summary>
    public static string LegacyOfStream(Stream safetensors)
    {
        var window = new byte[LegacyLength];
        int read = 0;
        if (safetensors.Length > LegacyOffset)
        {
            safetensors.Position = LegacyOffset;
            read = safetensors.ReadAtLeast(window, LegacyLength, throwOnEndOfStream: false);
        }
        return Convert.ToHexStringLower(SHA256.HashData(window.AsSpan(0, read)))[..8];
    }
}
