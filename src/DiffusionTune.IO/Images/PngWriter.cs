using System.Buffers.Binary;
using System.Text;
using SkiaSharp;

namespace DiffusionTune.IO.Images;

/// <summary>
/// Writes PNG files with text metadata such as A1111's <c>parameters</c>. Skia encodes the pixels; the text chunks are
/// then spliced in, chosen the way PIL's <c>PngInfo.add_text</c> chooses: <c>tEXt</c> when the text is Latin-1,
/// else uncompressed <c>iTXt</c> (UTF-8).
/// </summary>
public static class PngWriter
{
    static readonly Encoding Latin1 = Encoding.Latin1;

    /// <summary>
    /// Encodes <paramref name="bitmap"/> (opaque bitmaps as 8-bit RGB, others as RGBA) with <paramref name="text"/>
    /// in the given order. The chunks go before the image data, where PIL puts them and where readers that stop at
    /// the pixels (PIL's <c>Image.open(...).info</c> among them) still find them.
    /// </summary>
    public static byte[] Encode(SKBitmap bitmap, IEnumerable<KeyValuePair<string, string>>? text = null)
    {
        var textChunks = (text ?? []).Select(t => TextChunk(t.Key, t.Value)).ToList();
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new ArgumentException($"Skia cannot encode a {bitmap.ColorType}/{bitmap.AlphaType} bitmap as PNG", nameof(bitmap));
        var png = encoded.AsSpan();
        int insertAt = FirstImageDataOffset(png);

        var output = new byte[png.Length + textChunks.Sum(c => c.Length)];
        png[..insertAt].CopyTo(output);
        int position = insertAt;
        foreach (var chunk in textChunks)
        {
            chunk.CopyTo(output, position);
            position += chunk.Length;
        }
        png[insertAt..].CopyTo(output.AsSpan(position));
        return output;
    }

    /// <summary>
    /// Encodes as <see cref="Encode"/> does and writes atomically to <paramref name="path"/>. Unless
    /// <paramref name="overwrite"/> is set an existing file is left alone and an <see cref="IOException"/> thrown.
    /// </summary>
    public static void Write(string path, SKBitmap bitmap, IEnumerable<KeyValuePair<string, string>>? text = null, bool overwrite = false)
    {
        var png = Encode(bitmap, text);
        AtomicFile.WriteAllBytes(path, png, overwrite);
    }

    static int FirstImageDataOffset(ReadOnlySpan<byte> png)
    {
        int offset = 8;
        while (offset + 8 <= png.Length)
        {
            int length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(png[offset..]));
            if (png.Slice(offset + 4, 4).SequenceEqual("IDAT"u8)) return offset;
            offset += 12 + length;
        }
        throw new InvalidOperationException("Skia produced a PNG without an IDAT chunk");
    }

    static byte[] TextChunk(string keyword, string text)
    {
        ValidateKeyword(keyword);
        if (text.Contains('\0'))
            throw new ArgumentException($"the text for '{keyword}' contains a NUL character, which PNG text cannot hold", nameof(text));

        bool latin1 = text.All(c => c <= '\u00FF');
        byte[] data;
        if (latin1)
        {
            // keyword, NUL, text
            data = [.. Latin1.GetBytes(keyword), 0, .. Latin1.GetBytes(text)];
        }
        else
        {
            // keyword, NUL, compression flag 0, method 0, empty language tag + NUL, empty translated keyword + NUL, text
            data = [.. Latin1.GetBytes(keyword), 0, 0, 0, 0, 0, .. new UTF8Encoding(false, true).GetBytes(text)];
        }
        return Chunk(latin1 ? "tEXt"u8 : "iTXt"u8, data);
    }

    static byte[] Chunk(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        type.CopyTo(chunk.AsSpan(4));
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), PngCrc.Compute(type, data));
        return chunk;
    }

    /// <summary>PNG keywords are 1–79 printable Latin-1 characters without leading, trailing or double spaces.</summary>
    static void ValidateKeyword(string keyword)
    {
        bool printable = keyword.All(c => c is >= ' ' and <= '~' or >= '\u00A1' and <= '\u00FF');
        if (keyword.Length is < 1 or > 79 || !printable || keyword.StartsWith(' ') || keyword.EndsWith(' ') || keyword.Contains("  "))
            throw new ArgumentException($"'{keyword}' is not a valid PNG text keyword (1-79 printable Latin-1 characters, single inner spaces)", nameof(keyword));
    }
}
