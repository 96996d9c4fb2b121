namespace DiffusionTune.IO;

/// <summary>
/// Creates a new folder whole or not at all: its content is built in a temporary folder beside it, which is renamed
/// to the final name only when complete and removed when anything fails. A failure (a full disk) so never leaves a
/// partial folder that looks like a result and makes a retry refuse the path as existing, and an existing folder is
/// never replaced, not even one another process finished meanwhile.
/// </summary>
public static class AtomicFolder
{
    /// <summary>Creates the folder <paramref name="path"/>, which must not exist, with what <paramref name="build"/> writes into the (temporary) folder it is given.</summary>
    /// <exception cref="FileAccessException">The path exists, or the system refused a step; an error about a file inside names it under its final name.</exception>
    public static void Create(string path, Action<string> build)
    {
        var fullPath = Path.GetFullPath(path);
        if (Path.Exists(fullPath)) throw AtomicFile.AlreadyExists(path);
        var parent = Path.GetDirectoryName(fullPath)!;
        var temp = Path.Combine(parent, TemporaryName.For(Path.GetFileName(fullPath)));
        FileAccessException.Guard(path, "write", () =>
        {
            Directory.CreateDirectory(parent);
            Directory.CreateDirectory(temp);
            try
            {
                build(temp);
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
