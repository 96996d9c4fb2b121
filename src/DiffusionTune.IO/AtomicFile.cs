namespace DiffusionTune.IO;

/// <summary>
/// Writes files so that a crash or a full disk never leaves a half-written file under the final name:
/// the content goes to a temporary file in the same folder, is flushed to disk, then renamed over the target.
/// What the system refuses (a full disk, a read-only folder) is a <see cref="FileAccessException"/> naming the file.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/>. With <paramref name="overwrite"/> false an
    /// existing file is never replaced: the call fails with a <see cref="FileAccessException"/> naming it, both before
    /// writing and (should the file appear meanwhile, say from a second run) at the final rename, which then does not
    /// clobber (<see cref="ExclusiveRename"/>).
    /// </summary>
    /// <exception cref="FileAccessException">The file exists (without overwrite), or the system refused a step.</exception>
    public static void Write(string path, Action<FileStream> write, bool overwrite = true) =>
        FileAccessException.Guard(path, "write", () => Publish(path, write, overwrite));

    /// <summary>The refusal of a path that is taken.</summary>
    internal static FileAccessException AlreadyExists(string path) => new(path, "write", "it already exists (nothing was overwritten)");

    static void Publish(string path, Action<FileStream> write, bool overwrite)
    {
        var fullPath = Path.GetFullPath(path);
        if (!overwrite && Path.Exists(fullPath))
            throw AlreadyExists(path);
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
            if (overwrite)
                File.Move(temp, fullPath, overwrite: true);
            else if (!ExclusiveRename.File(temp, fullPath))
                throw AlreadyExists(path);
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
