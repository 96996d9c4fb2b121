namespace DiffusionTune.IO;

/// <summary>
/// Writes a folder whole or not at all: its content is built in a temporary folder beside it, which is renamed to the
/// final name only when complete and removed when anything fails. A failure (a full disk, a kill) so never leaves a
/// partial folder that looks like a result, or that makes a retry refuse the path as existing.
/// </summary>
public static class AtomicFolder
{
    /// <summary>
    /// Writes the folder <paramref name="path"/> with what <paramref name="build"/> puts into the (temporary) folder it
    /// is given. Without <paramref name="overwrite"/> the path must be new, and stays another process's if that one
    /// finishes it meanwhile (<see cref="ExclusiveRename"/>); with it, an existing folder is removed just before the
    /// rename (a crash in between leaves neither, never a mix of the two).
    /// </summary>
    /// <exception cref="FileAccessException">The path is taken (without overwrite), or the system refused a step; an error about a file inside names it under its final name.</exception>
    public static void Create(string path, Action<string> build, bool overwrite = false)
    {
        var fullPath = Path.GetFullPath(path);
        if (!overwrite && Path.Exists(fullPath)) throw AtomicFile.AlreadyExists(path);
        var parent = Path.GetDirectoryName(fullPath)!;
        var temp = Path.Combine(parent, TemporaryName.For(Path.GetFileName(fullPath)));
        FileAccessException.Guard(path, "write", () =>
        {
            Directory.CreateDirectory(parent);
            Directory.CreateDirectory(temp);
            try
            {
                build(temp);
                if (overwrite && Directory.Exists(fullPath)) Directory.Delete(fullPath, recursive: true);
                if (!ExclusiveRename.Folder(temp, fullPath)) throw AtomicFile.AlreadyExists(path);
            }
            catch (FileAccessException e) when (e.FilePath.StartsWith(temp + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                // The temporary name means nothing to the user: the error is about the file under its final name.
                throw new FileAccessException(Path.Combine(path, Path.GetRelativePath(temp, e.FilePath)), "write", e.Problem, e);
            }
            finally
            {
                if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            }
        });
    }
}
