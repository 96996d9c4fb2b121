namespace DiffusionTune.IO.Images;

/// <summary>The CRC-32 (ISO 3309, reflected polynomial 0xEDB88320) that PNG stores after each chunk, over its type and data.</summary>
static class PngCrc
{
    static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> chunkType, ReadOnlySpan<byte> data) =>
        Update(Update(0xFFFFFFFFu, chunkType), data) ^ 0xFFFFFFFFu;

    static uint Update(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
