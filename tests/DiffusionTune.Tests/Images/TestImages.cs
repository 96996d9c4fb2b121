using System.Buffers.Binary;
using SkiaSharp;

namespace DiffusionTune.Tests.Images;

/// <summary>Small images built in code, including encodings Skia cannot write (BMP, GIF) and a JPEG with an EXIF orientation.</summary>
static class TestImages
{
    /// <summary>An opaque bitmap whose four quadrants are red (top left), green (top right), blue (bottom left) and white.</summary>
    public static SKBitmap Quadrants(int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, QuadrantColor(x < width / 2, y < height / 2));
        return bitmap;
    }

    public static SKColor QuadrantColor(bool left, bool top) =>
        (left, top) switch
        {
            (true, true) => SKColors.Red,
            (false, true) => SKColors.Lime,
            (true, false) => SKColors.Blue,
            _ => SKColors.White,
        };

    /// <summary>An opaque bitmap with every byte value appearing somewhere, from a fixed seed.</summary>
    public static SKBitmap Noise(int width, int height, int seed)
    {
        var random = new Random(seed);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        return bitmap;
    }

    public static SKBitmap Solid(int width, int height, SKColor color)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, color.Alpha == 255 ? SKAlphaType.Opaque : SKAlphaType.Unpremul));
        bitmap.Erase(color);
        return bitmap;
    }

    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 100)
    {
        using var data = bitmap.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>An uncompressed 24-bit bottom-up BMP of <paramref name="bitmap"/>.</summary>
    public static byte[] Bmp(SKBitmap bitmap)
    {
        int rowBytes = (bitmap.Width * 3 + 3) & ~3;
        int dataSize = rowBytes * bitmap.Height;
        var bytes = new byte[54 + dataSize];
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), bitmap.Width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), bitmap.Height);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(34), dataSize);
        for (int y = 0; y < bitmap.Height; y++)
        {
            int row = 54 + (bitmap.Height - 1 - y) * rowBytes;
            for (int x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                bytes[row + x * 3] = c.Blue;
                bytes[row + x * 3 + 1] = c.Green;
                bytes[row + x * 3 + 2] = c.Red;
            }
        }
        return bytes;
    }

    /// <summary>
    /// A GIF whose frames each fill the canvas with one colour of a four-colour palette. The LZW stream resets before
    /// every pixel, so every code stays 3 bits wide and no compressor is needed.
    /// </summary>
    public static byte[] Gif(int width, int height, SKColor[] palette, params int[] frameColorIndexes)
    {
        var gif = new List<byte>();
        gif.AddRange("GIF89a"u8.ToArray());
        gif.AddRange(Le16(width));
        gif.AddRange(Le16(height));
        gif.AddRange([0xF1, 0, 0]); // global palette of 4 entries, background 0, no aspect ratio
        for (int i = 0; i < 4; i++)
            gif.AddRange([palette[i].Red, palette[i].Green, palette[i].Blue]);
        foreach (var colorIndex in frameColorIndexes)
        {
            gif.Add(0x2C);
            gif.AddRange([0, 0, 0, 0]);
            gif.AddRange(Le16(width));
            gif.AddRange(Le16(height));
            gif.Add(0);
            gif.Add(2); // minimum code size: clear = 4, end = 5, codes 3 bits
            var codes = new List<int>();
            for (int p = 0; p < width * height; p++) codes.AddRange([4, colorIndex]);
            codes.Add(5);
            var packed = PackLsbFirst(codes, 3);
            for (int offset = 0; offset < packed.Count; offset += 255)
            {
                int length = Math.Min(255, packed.Count - offset);
                gif.Add((byte)length);
                gif.AddRange(packed.GetRange(offset, length));
            }
            gif.Add(0);
        }
        gif.Add(0x3B);
        return gif.ToArray();
    }

    /// <summary>A JPEG of <paramref name="bitmap"/> carrying an EXIF APP1 segment with the given orientation tag.</summary>
    public static byte[] JpegWithOrientation(SKBitmap bitmap, int orientation)
    {
        var jpeg = Encode(bitmap, SKEncodedImageFormat.Jpeg);
        byte[] tiff =
        [
            (byte)'I', (byte)'I', 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, // little-endian TIFF header, IFD0 at offset 8
            0x01, 0x00,                                               // one entry
            0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00,           // tag 0x0112 Orientation, SHORT, count 1
            (byte)orientation, 0x00, 0x00, 0x00,                      // value
            0x00, 0x00, 0x00, 0x00,                                   // no next IFD
        ];
        byte[] payload = [.. "Exif\0\0"u8.ToArray(), .. tiff];
        byte[] segment = [0xFF, 0xE1, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2), .. payload];
        // After SOI and the JFIF APP0 segment that Skia writes first.
        int insertAt = 2;
        if (jpeg[2] == 0xFF && jpeg[3] == 0xE0) insertAt = 4 + (jpeg[4] << 8 | jpeg[5]);
        return [.. jpeg[..insertAt], .. segment, .. jpeg[insertAt..]];
    }

    static byte[] Le16(int value) => [(byte)value, (byte)(value >> 8)];

    static List<byte> PackLsbFirst(List<int> codes, int width)
    {
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var code in codes)
        {
            buffer |= code << bits;
            bits += width;
            while (bits >= 8)
            {
                bytes.Add((byte)buffer);
                buffer >>= 8;
                bits -= 8;
            }
        }
        if (bits > 0) bytes.Add((byte)buffer);
        return bytes;
    }
}
