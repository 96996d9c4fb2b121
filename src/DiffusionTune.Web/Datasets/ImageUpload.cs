using System.Security.Cryptography;
using DiffusionTune.IO;
using DiffusionTune.IO.Images;
using SkiaSharp;

namespace DiffusionTune.Web.Datasets;

/// <summary>
/// Takes uploaded files into a dataset folder. Nothing is kept as sent: each file must be within the size limit,
/// decode as an image (PNG, JPEG, WebP, BMP, GIF) within the pixel limit, and is then re-encoded as a PNG under a
/// generated name (its original name, cleaned, plus a random part). All or nothing: one bad file refuses the upload.
/// </summary>
public sealed class ImageUpload(long maxBytes, int maxFiles, long maxPixels)
{
    /// <summary>One uploaded file: the name the browser gave and its content.</summary>
    public sealed record Part(string FileName, long Length, Func<Stream> Open);

    /// <summary>Decodes every part, then writes them into <paramref name="folder"/> as PNGs; returns the new files' names.</summary>
    /// <exception cref="UploadRejectedException">A limit was passed or a part is not an image; nothing was written.</exception>
    public IReadOnlyList<string> Import(string folder, IReadOnlyList<Part> parts)
    {
        if (parts.Count == 0) throw new UploadRejectedException("no files were uploaded");
        if (parts.Count > maxFiles) throw new UploadRejectedException($"{parts.Count} files were uploaded; at most {maxFiles} are taken at once");
        var decoded = new List<(string Name, SKBitmap Bitmap)>();
        try
        {
            foreach (var part in parts)
                decoded.Add((GeneratedName(part.FileName), Decode(part)));
            foreach (var (name, bitmap) in decoded)
                PngWriter.Write(Path.Combine(folder, name), bitmap);
            return [.. decoded.Select(d => d.Name)];
        }
        finally
        {
            foreach (var (_, bitmap) in decoded) bitmap.Dispose();
        }
    }

    SKBitmap Decode(Part part)
    {
        var shown = Shown(part.FileName);
        if (part.Length > maxBytes)
            throw new UploadRejectedException($"{shown}: {part.Length} bytes is more than the {maxBytes} bytes an image may have");
        // The decoder reads files; the upload goes to a private temporary file first and is deleted after.
        var temp = Path.Combine(Path.GetTempPath(), "diffusiontune-upload-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        try
        {
            using (var source = part.Open())
            using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                CopyAtMost(source, target, maxBytes, shown);
            }
            using (var codec = SKCodec.Create(temp))
            {
                if (codec is null) throw new UploadRejectedException($"{shown}: not an image (PNG, JPEG, WebP, BMP or GIF)");
                if ((long)codec.Info.Width * codec.Info.Height > maxPixels)
                    throw new UploadRejectedException($"{shown}: {codec.Info.Width}x{codec.Info.Height} pixels is more than the {maxPixels} pixels an image may have");
            }
            try
            {
                return ImageLoader.LoadRgba(temp);
            }
            catch (ImageFileException e)
            {
                throw new UploadRejectedException($"{shown}: {e.Problem}");
            }
        }
        finally
        {
            File.Delete(temp);
        }
    }

    static void CopyAtMost(Stream source, Stream target, long maxBytes, string shown)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = source.Read(buffer)) > 0)
        {
            total += read;
            if (total > maxBytes)
                throw new UploadRejectedException($"{shown}: more than the {maxBytes} bytes an image may have");
            target.Write(buffer, 0, read);
        }
    }

    /// <summary>A safe file name: the upload's name reduced to letters, digits, '-' and '_' (at most 40), a random part, and .png.</summary>
    static string GeneratedName(string uploaded)
    {
        var stem = new string([.. Path.GetFileNameWithoutExtension(Path.GetFileName(uploaded.Replace('\\', '/')))
            .Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]).Trim('_');
        if (stem.Length > 40) stem = stem[..40];
        if (stem.Length == 0) stem = "image";
        return $"{stem}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}.png";
    }

    /// <summary>The uploaded name as shown in messages: its last part, without control characters, at most 80 characters.</summary>
    static string Shown(string uploaded)
    {
        var name = new string([.. Path.GetFileName(uploaded.Replace('\\', '/')).Where(c => !char.IsControl(c))]);
        return name.Length > 80 ? name[..80] + "…" : name;
    }
}
