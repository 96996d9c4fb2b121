using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using DiffusionTune.IO;
using DiffusionTune.IO.Images;
using SkiaSharp;

namespace DiffusionTune.Tests.Images;

public class PngTextTests
{
    const string A1111Parameters = "a lighthouse at dusk, oil painting\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, Size: 64x48";

    [Fact]
    public void Text_round_trips_as_tEXt_when_latin1_and_iTXt_otherwise()
    {
        using var folder = new ScratchFolder();
        using var image = TestImages.Quadrants(64, 48);
        var path = folder.File("out.png");
        const string unicode = "夜の灯台, ünïcödé 🌊\nsecond line";

        PngWriter.Write(path, image, [new("parameters", A1111Parameters), new("Comment", "café crème"), new("prompt-ja", unicode)]);

        var chunks = PngTextReader.Read(path);
        Assert.Equal(
            [
                new PngTextChunk("parameters", A1111Parameters, PngTextChunkType.Text),
                new PngTextChunk("Comment", "café crème", PngTextChunkType.Text),
                new PngTextChunk("prompt-ja", unicode, PngTextChunkType.InternationalText),
            ],
            chunks);
        Assert.Equal(unicode, PngTextReader.Find(path, "prompt-ja"));
        Assert.Null(PngTextReader.Find(path, "absent"));
    }

    [Fact]
    public void The_written_file_is_a_valid_png_with_text_before_the_image_data()
    {
        using var image = TestImages.Noise(33, 17, seed: 6);

        var png = PngWriter.Encode(image, [new("parameters", A1111Parameters), new("title", "Ωmega")]);

        var chunks = Chunks(png);
        Assert.Equal(["IHDR", "tEXt", "iTXt", "IDAT", "IEND"], chunks.Select(c => c.Type).Where(t => t != "sBIT").Distinct());
        Assert.All(chunks, chunk => Assert.Equal(IndependentCrc(chunk.Type, chunk.Data), chunk.Crc));
        Assert.Equal(2, png[25]); // IHDR colour type 2: opaque images are stored as RGB
        // Skia decodes it, pixels intact.
        using var decoded = SKBitmap.Decode(png);
        Assert.NotNull(decoded);
        Assert.Equal(image.Pixels, decoded.Pixels);
        // The iTXt layout PIL writes: keyword, NUL, flag 0, method 0, empty language and translated keyword.
        var itxt = chunks.Single(c => c.Type == "iTXt").Data;
        Assert.Equal([.. "title"u8.ToArray(), 0, 0, 0, 0, 0, .. Encoding.UTF8.GetBytes("Ωmega")], itxt);
    }

    [Fact]
    public void An_existing_file_is_not_overwritten_unless_asked()
    {
        using var folder = new ScratchFolder();
        using var first = TestImages.Solid(4, 4, SKColors.Red);
        using var second = TestImages.Solid(4, 4, SKColors.Blue);
        var path = folder.File("seed-1.png");
        PngWriter.Write(path, first);

        var error = Assert.Throws<FileAccessException>(() => PngWriter.Write(path, second));

        Assert.Contains(path, error.Message);
        using (var kept = SKBitmap.Decode(path)) Assert.Equal(SKColors.Red, kept.GetPixel(0, 0));
        Assert.Single(Directory.GetFiles(folder.Path));

        PngWriter.Write(path, second, overwrite: true);
        using (var replaced = SKBitmap.Decode(path)) Assert.Equal(SKColors.Blue, replaced.GetPixel(0, 0));
    }

    [Fact]
    public void Reads_compressed_zTXt_and_iTXt_chunks()
    {
        using var folder = new ScratchFolder();
        using var image = TestImages.Solid(2, 2, SKColors.White);
        var png = PngWriter.Encode(image);
        byte[] ztxt = [.. "Description"u8.ToArray(), 0, 0, .. Deflate(Encoding.Latin1.GetBytes("naïve text"))];
        byte[] itxt = [.. "parameters"u8.ToArray(), 0, 1, 0, .. "ja"u8.ToArray(), 0, 0, .. Deflate(Encoding.UTF8.GetBytes("猫, Steps: 20"))];
        var path = folder.File("compressed.png");
        File.WriteAllBytes(path, InsertBeforeIend(png, Chunk("zTXt", ztxt), Chunk("iTXt", itxt)));

        var chunks = PngTextReader.Read(path);

        Assert.Equal(
            [
                new PngTextChunk("Description", "naïve text", PngTextChunkType.CompressedText),
                new PngTextChunk("parameters", "猫, Steps: 20", PngTextChunkType.InternationalText),
            ],
            chunks);
    }

    [Fact]
    public void A_text_chunk_with_a_bad_crc_is_reported()
    {
        using var folder = new ScratchFolder();
        using var image = TestImages.Solid(2, 2, SKColors.White);
        var png = PngWriter.Encode(image, [new("parameters", "Steps: 20")]);
        int textOffset = Chunks(png).Single(c => c.Type == "tEXt").Offset;
        png[textOffset + 8 + 12] ^= 0x01; // flip a bit of the text
        var path = folder.File("damaged.png");
        File.WriteAllBytes(path, png);

        var error = Assert.Throws<ImageFileException>(() => PngTextReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("CRC", error.Message);
    }

    [Theory]
    [InlineData("not a png at all", "signature")]
    [InlineData("\u0089PNG\r\n\u001a\n\0\0\0\rIHDR", "truncated")]
    public void Files_that_are_not_complete_pngs_are_reported(string content, string expected)
    {
        using var folder = new ScratchFolder();
        var path = folder.File("bad.png");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(content));

        var error = Assert.Throws<ImageFileException>(() => PngTextReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" leading")]
    [InlineData("two  spaces")]
    [InlineData("ключ")]
    [InlineData("a-keyword-that-is-much-too-long-for-png-because-keywords-stop-at-seventy-nine-chars")]
    public void Invalid_keywords_are_refused(string keyword)
    {
        using var image = TestImages.Solid(2, 2, SKColors.White);

        Assert.Throws<ArgumentException>(() => PngWriter.Encode(image, [new(keyword, "text")]));
    }

    static byte[] Deflate(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal)) zlib.Write(data);
        return output.ToArray();
    }

    static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), IndependentCrc(type, data));
        return chunk;
    }

    static byte[] InsertBeforeIend(byte[] png, params byte[][] chunks)
    {
        int iend = Chunks(png).Single(c => c.Type == "IEND").Offset;
        return [.. png[..iend], .. chunks.SelectMany(c => c), .. png[iend..]];
    }

    static List<(string Type, byte[] Data, uint Crc, int Offset)> Chunks(byte[] png)
    {
        var chunks = new List<(string, byte[], uint, int)>();
        for (int offset = 8; offset < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            var type = Encoding.ASCII.GetString(png, offset + 4, 4);
            var data = png.AsSpan(offset + 8, length).ToArray();
            chunks.Add((type, data, BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length)), offset));
            offset += 12 + length;
        }
        return chunks;
    }

    /// <summary>CRC-32 bit by bit, straight from the PNG specification's definition, to check the table-driven one.</summary>
    static uint IndependentCrc(string type, byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in Encoding.ASCII.GetBytes(type).Concat(data))
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }
}
