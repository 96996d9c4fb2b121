using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace DiffusionTune.IO.Images;

/// <summary>
/// Reads the text chunks (<c>tEXt</c>, <c>zTXt</c>, <c>iTXt</c>) of a PNG file without decoding its pixels. Chunks
/// that carry no text are skipped unread; text chunks must have valid CRCs. Problems are
/// <see cref="ImageFileException"/>s naming the file.
/// </summary>
public static class PngTextReader
{
    /// <summary>Text longer than this, stored or after decompression, is refused: a small zlib stream can inflate without bound.</summary>
    public const int MaxTextBytes = 16 << 20;

    static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    static readonly Encoding StrictUtf8 = new UTF8Encoding(false, true);

    /// <summary>Every text chunk of <paramref name="path"/>, in file order.</summary>
    public static IReadOnlyList<PngTextChunk> Read(string path)
    {
        if (!File.Exists(path)) throw new ImageFileException(path, "file not found");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Read(stream, path);
    }

    /// <summary>The text of the last chunk named <paramref name="keyword"/> (a later chunk overrides, as in PIL), or null.</summary>
    public static string? Find(string path, string keyword) =>
        Read(path).LastOrDefault(chunk => chunk.Keyword == keyword)?.Text;

    static List<PngTextChunk> Read(FileStream stream, string path)
    {
        Span<byte> signature = stackalloc byte[8];
        if (stream.ReadAtLeast(signature, 8, throwOnEndOfStream: false) < 8 || !signature.SequenceEqual(Signature))
            throw new ImageFileException(path, "not a PNG file (its first 8 bytes are not the PNG signature)");

        var chunks = new List<PngTextChunk>();
        Span<byte> header = stackalloc byte[8];
        Span<byte> crc = stackalloc byte[4];
        while (true)
        {
            long chunkOffset = stream.Position;
            if (stream.ReadAtLeast(header, 8, throwOnEndOfStream: false) < 8)
                throw new ImageFileException(path, $"the PNG is truncated: it ends at byte {stream.Length} before its IEND chunk");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = Encoding.ASCII.GetString(header[4..]);
            if (!type.All(char.IsAsciiLetter))
                throw new ImageFileException(path, $"the PNG is corrupt: the chunk at byte {chunkOffset} has no valid type");
            if (length > int.MaxValue || stream.Position + length + 4 > stream.Length)
                throw new ImageFileException(path, $"the PNG is truncated: its {type} chunk at byte {chunkOffset} claims {length} bytes that the file does not hold");

            if (type == "IEND") return chunks;
            if (type is not ("tEXt" or "zTXt" or "iTXt"))
            {
                stream.Seek(length + 4, SeekOrigin.Current);
                continue;
            }
            if (length > MaxTextBytes)
                throw new ImageFileException(path, $"its {type} chunk at byte {chunkOffset} holds {length} bytes, more than the {MaxTextBytes} accepted");

            var data = new byte[length];
            stream.ReadExactly(data);
            stream.ReadExactly(crc);
            if (BinaryPrimitives.ReadUInt32BigEndian(crc) != PngCrc.Compute(header[4..], data))
                throw new ImageFileException(path, $"the PNG is corrupt: its {type} chunk at byte {chunkOffset} fails its CRC check");
            chunks.Add(Parse(type, data, path, chunkOffset));
        }
    }

    static PngTextChunk Parse(string type, byte[] data, string path, long chunkOffset)
    {
        ImageFileException Corrupt(string problem) =>
            new(path, $"the PNG's {type} chunk at byte {chunkOffset} is malformed: {problem}");

        int keywordEnd = Array.IndexOf(data, (byte)0);
        if (keywordEnd < 1) throw Corrupt("it has no NUL-terminated keyword");
        var keyword = Encoding.Latin1.GetString(data, 0, keywordEnd);
        var rest = data.AsSpan(keywordEnd + 1);

        switch (type)
        {
            case "tEXt":
                return new(keyword, Encoding.Latin1.GetString(rest), PngTextChunkType.Text);
            case "zTXt":
                if (rest.Length < 1 || rest[0] != 0) throw Corrupt("its compression method is not 0 (zlib)");
                return new(keyword, Encoding.Latin1.GetString(Inflate(rest[1..], Corrupt)), PngTextChunkType.CompressedText);
            default:
                if (rest.Length < 2 || rest[0] > 1 || rest[1] != 0) throw Corrupt("its compression flag or method is invalid");
                bool compressed = rest[0] == 1;
                rest = rest[2..];
                // Skip the language tag and the translated keyword, each NUL-terminated.
                for (int field = 0; field < 2; field++)
                {
                    int end = rest.IndexOf((byte)0);
                    if (end < 0) throw Corrupt("its language tag or translated keyword is not NUL-terminated");
                    rest = rest[(end + 1)..];
                }
                var utf8 = compressed ? Inflate(rest, Corrupt) : rest.ToArray();
                try
                {
                    return new(keyword, StrictUtf8.GetString(utf8), PngTextChunkType.InternationalText);
                }
                catch (DecoderFallbackException)
                {
                    throw Corrupt("its text is not valid UTF-8");
                }
        }
    }

    static byte[] Inflate(ReadOnlySpan<byte> compressed, Func<string, ImageFileException> corrupt)
    {
        using var input = new MemoryStream(compressed.ToArray());
        using var zlib = new ZLibStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        try
        {
            int read;
            while ((read = zlib.Read(buffer)) > 0)
            {
                if (output.Length + read > MaxTextBytes) throw corrupt($"its text inflates past {MaxTextBytes} bytes");
                output.Write(buffer, 0, read);
            }
        }
        catch (InvalidDataException e)
        {
            throw corrupt($"its compressed text is not a valid zlib stream ({e.Message})");
        }
        return output.ToArray();
    }
}
