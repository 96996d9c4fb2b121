namespace DiffusionTune.IO;

/// <summary>
/// Writes files so that a crash or a full disk never leaves a half-written file under the final name:
/// the content goes to a temporary file in the same folder, is flushed to disk, then renamed over the target.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/>. With <paramref name="overwrite"/> false an
    /// existing file is never replaced: the call fails with an <see cref="IOException"/> naming it, both before
    /// writing and (should the file appear meanwhile) at the final rename, which then does not clobber.
    /// </summary>
    public static void Write(string path, Action<FileStream> write, bool overwrite = true)
    {
        var fullPath = Path.GetFullPath(path);
        if (!overwrite && Path.Exists(fullPath))
            throw new IOException($"{path}: already exists; refusing to overwrite it");
        var folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, TemporaryName.For(Path.GetFileName(fullPath)));
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, bool overwrite = true)
    {
        var copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy), overwrite);
    }
}
